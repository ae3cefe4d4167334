"""Every statistic against an independent implementation on generated data.

References: statsmodels (Wilson interval, two-way ANOVA for Hoyt's reliability), scipy
(paired t-test, signed-rank test, percentile of score) and Python's ``statistics`` module,
plus algebraically different formulas written here. Retention statistics are checked
against lifelines in ``test_retention_statistics.py``.
"""

from __future__ import annotations

import math
import statistics as pystats
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.formula.api import ols
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from mentora.stats import (
    BENCHMARK_MINIMUM,
    cronbach_alpha,
    feldt_interval,
    hedges_correction,
    item_distribution,
    kaplan_meier,
    logrank_test,
    mean_interval,
    nps,
    paired_change,
    percentile_rank,
    response_rate,
    scale_mean,
    share_favourable,
    wilson_interval,
)

TOL = 1e-9
CONFIDENCES = (0.8, 0.9, 0.95, 0.99)


def close(a: float | None, b: float) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=0.0, abs_tol=TOL)


# --- Wilson intervals ---------------------------------------------------------------------


def test_wilson_interval_matches_statsmodels_on_every_count_up_to_60() -> None:
    for n in range(1, 61):
        for successes in range(n + 1):
            for confidence in CONFIDENCES:
                low, high = wilson_interval(successes, n, confidence=confidence)
                ref_low, ref_high = proportion_confint(
                    successes, n, alpha=1 - confidence, method="wilson"
                )
                assert close(low, ref_low) and close(high, ref_high), (successes, n, confidence)


@given(
    n=st.integers(min_value=1, max_value=100_000),
    share=st.floats(min_value=0, max_value=1),
    confidence=st.floats(min_value=0.5, max_value=0.999),
)
@settings(max_examples=200, deadline=None)
def test_wilson_interval_matches_statsmodels_for_any_count(
    n: int, share: float, confidence: float
) -> None:
    successes = round(share * n)
    low, high = wilson_interval(successes, n, confidence=confidence)
    ref_low, ref_high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    assert close(low, ref_low) and close(high, ref_high)
    assert low is not None and high is not None and 0 <= low <= successes / n <= high <= 1


def test_share_favourable_matches_statsmodels_on_generated_answers() -> None:
    rng = np.random.default_rng(11)
    for size in (1, 2, 5, 13, 40, 250):
        answers = rng.integers(1, 6, size).astype(float)
        answers[rng.random(size) < 0.1] = np.nan
        answered = answers[~np.isnan(answers)]
        for threshold in (3, 4, 5):
            result = share_favourable(answers, threshold=threshold)
            favourable = sum(1 for a in answered if a >= threshold)
            assert result.successes == favourable and result.n == answered.size
            if answered.size == 0:
                assert result.estimate is None and result.low is None
                continue
            ref_low, ref_high = proportion_confint(favourable, answered.size, method="wilson")
            assert close(result.estimate, favourable / answered.size)
            assert close(result.low, ref_low) and close(result.high, ref_high)


def test_share_favourable_of_no_answers_is_none() -> None:
    result = share_favourable([None, None])
    assert (result.n, result.estimate, result.low, result.high) == (0, None, None, None)


def test_share_favourable_when_everyone_agrees_has_a_wilson_interval_below_one() -> None:
    result = share_favourable([5, 5, 4, 4, 5])
    ref_low, ref_high = proportion_confint(5, 5, method="wilson")
    assert result.estimate == 1.0 and close(result.low, ref_low) and close(result.high, ref_high)
    assert result.low is not None and result.low < 1.0


def test_response_rate_matches_statsmodels_and_rejects_impossible_counts() -> None:
    rng = np.random.default_rng(5)
    for invited in rng.integers(1, 2_000, 50):
        responded = int(rng.integers(0, invited + 1))
        result = response_rate(int(invited), responded, confidence=0.9)
        ref_low, ref_high = proportion_confint(responded, invited, alpha=0.1, method="wilson")
        assert close(result.estimate, responded / invited)
        assert close(result.low, ref_low) and close(result.high, ref_high)
    assert response_rate(0, 0).estimate is None
    with pytest.raises(ValueError):
        response_rate(3, 4)
    with pytest.raises(ValueError):
        response_rate(-1, 0)


# --- item distribution --------------------------------------------------------------------


def test_item_distribution_matches_counter_and_statistics_module() -> None:
    rng = np.random.default_rng(1)
    for size in (1, 2, 3, 10, 57, 400):
        answers: list[float | None] = [float(v) for v in rng.integers(1, 6, size)]
        for index in rng.choice(size, size // 7, replace=False):
            answers[index] = None
        answered = [a for a in answers if a is not None]
        result = item_distribution(answers)
        tally = Counter(answered)
        assert result.points == (1, 2, 3, 4, 5)
        assert result.counts == tuple(tally[p] for p in range(1, 6))
        assert result.n == len(answered) and result.missing == size - len(answered)
        assert result.shares is not None
        assert_allclose(
            result.shares, [tally[p] / len(answered) for p in range(1, 6)], atol=TOL, rtol=0
        )
        assert close(result.mean, pystats.fmean(answered))
        assert close(result.median, pystats.median(answered))
        if len(answered) >= 2:
            assert close(result.sd, pystats.stdev(answered))
        else:
            assert result.sd is None


def test_item_distribution_with_all_answers_equal_has_zero_sd() -> None:
    result = item_distribution([3, 3, 3, 3])
    assert result.counts == (0, 0, 4, 0, 0) and result.sd == 0.0 and result.mean == 3.0


def test_item_distribution_of_one_answer_and_of_none() -> None:
    one = item_distribution([4], scale=(0, 10))
    assert one.n == 1 and one.sd is None and one.mean == 4.0 and len(one.counts) == 11
    none = item_distribution([None, float("nan")])
    assert none.n == 0 and none.missing == 2 and none.shares is None and none.mean is None


def test_item_distribution_rejects_answers_off_the_scale() -> None:
    with pytest.raises(ValueError):
        item_distribution([1, 6])
    with pytest.raises(ValueError):
        item_distribution([1, 2.5])


def test_mean_interval_matches_statsmodels_and_scipy_t_intervals() -> None:
    rng = np.random.default_rng(21)
    for size in (2, 3, 7, 19, 20, 64, 500):
        answers = rng.integers(1, 6, size).astype(float)
        for confidence in CONFIDENCES:
            result = mean_interval(answers, confidence=confidence)
            ref_low, ref_high = DescrStatsW(answers).tconfint_mean(alpha=1 - confidence)
            sem = stats.sem(answers)
            t_low, t_high = stats.t.interval(confidence, size - 1, loc=answers.mean(), scale=sem)
            assert close(result.low, ref_low) and close(result.high, ref_high), (size, confidence)
            assert close(result.low, t_low) and close(result.high, t_high)
            assert close(result.mean, pystats.fmean(answers.tolist()))
            assert close(result.standard_error, float(sem)) and result.df == size - 1
            assert result.small_sample is (size < 20)


def test_mean_interval_needs_two_answers_and_leaves_missing_ones_out() -> None:
    one = mean_interval([4, None])
    assert one.n == 1 and one.missing == 1 and one.mean == 4.0
    assert one.low is None and one.high is None and one.reason is not None
    assert mean_interval([]).mean is None and mean_interval([]).small_sample
    same = mean_interval([3, 3, 3])
    assert (same.low, same.high, same.sd) == (3.0, 3.0, 0.0)


def test_item_distribution_carries_the_t_interval_of_its_mean() -> None:
    answers = [5, 4, 4, 2, None, 3, 5, 1, 4]
    result = item_distribution(answers, confidence=0.9)
    answered = [a for a in answers if a is not None]
    ref_low, ref_high = DescrStatsW(np.array(answered, dtype=float)).tconfint_mean(alpha=0.1)
    assert close(result.mean_low, ref_low) and close(result.mean_high, ref_high)
    assert result.confidence == 0.9 and result.small_sample
    assert item_distribution([3]).mean_low is None


def test_scale_mean_is_the_mean_of_complete_respondents_item_means() -> None:
    rng = np.random.default_rng(22)
    matrix = scale_answers(rng, 45, 4)
    matrix[[2, 9], [1, 3]] = np.nan
    result = scale_mean(matrix)
    scores = np.delete(matrix, [2, 9], axis=0).mean(axis=1)
    ref_low, ref_high = DescrStatsW(scores).tconfint_mean()
    assert result.n == 43 and result.missing == 2 and not result.small_sample
    assert close(result.mean, float(scores.mean()))
    assert close(result.low, ref_low) and close(result.high, ref_high)


# --- Cronbach's alpha ---------------------------------------------------------------------


def alpha_from_covariances(matrix: np.ndarray) -> float:
    """k * mean covariance / (mean variance + (k - 1) * mean covariance)."""
    cov = np.cov(matrix, rowvar=False)
    k = cov.shape[0]
    mean_variance = np.trace(cov) / k
    mean_covariance = (cov.sum() - np.trace(cov)) / (k * (k - 1))
    return float(k * mean_covariance / (mean_variance + (k - 1) * mean_covariance))


def alpha_from_hoyt_anova(matrix: np.ndarray) -> float:
    """Hoyt (1941): 1 - MS(residual) / MS(persons) of a persons x items two-way ANOVA."""
    people, items = matrix.shape
    frame = pd.DataFrame(
        {
            "score": matrix.ravel(),
            "person": np.repeat(np.arange(people), items),
            "item": np.tile(np.arange(items), people),
        }
    )
    table = anova_lm(ols("score ~ C(person) + C(item)", data=frame).fit())
    return float(1 - table.loc["Residual", "mean_sq"] / table.loc["C(person)", "mean_sq"])


def scale_answers(rng: np.random.Generator, people: int, items: int) -> np.ndarray:
    """Likert answers driven by one latent trait, so alpha takes realistic values."""
    trait = rng.normal(size=(people, 1))
    raw = trait + rng.normal(scale=rng.uniform(0.5, 2.0), size=(people, items))
    return np.clip(np.round(3 + raw), 1, 5)


def test_cronbach_alpha_matches_covariance_formula_on_generated_scales() -> None:
    rng = np.random.default_rng(2024)
    for people in (2, 3, 5, 20, 150):
        for items in (2, 3, 6, 12):
            matrix = scale_answers(rng, people, items)
            result = cronbach_alpha(matrix)
            if np.var(matrix.sum(axis=1)) == 0:
                assert result.alpha is None
                continue
            assert close(result.alpha, alpha_from_covariances(matrix)), (people, items)
            assert (result.items, result.respondents, result.excluded) == (items, people, 0)


def test_cronbach_alpha_matches_hoyt_anova_from_statsmodels() -> None:
    rng = np.random.default_rng(7)
    for people, items in ((4, 2), (12, 4), (60, 8)):
        matrix = scale_answers(rng, people, items)
        assert close(cronbach_alpha(matrix).alpha, alpha_from_hoyt_anova(matrix))


def test_cronbach_alpha_drops_incomplete_rows_listwise() -> None:
    rng = np.random.default_rng(3)
    matrix = scale_answers(rng, 40, 5)
    holes = matrix.copy()
    holes[[1, 7, 7, 30], [0, 2, 3, 4]] = np.nan
    result = cronbach_alpha(holes)
    complete = np.delete(matrix, [1, 7, 30], axis=0)
    assert result.respondents == 37 and result.excluded == 3
    assert close(result.alpha, alpha_from_covariances(complete))


def test_cronbach_alpha_can_be_negative_for_an_unrecoded_reverse_item() -> None:
    rng = np.random.default_rng(9)
    matrix = scale_answers(rng, 50, 2)
    matrix[:, 1] = 6 - matrix[:, 1]
    result = cronbach_alpha(matrix)
    assert result.alpha is not None and result.alpha < 0
    assert close(result.alpha, alpha_from_covariances(matrix))


def test_cronbach_alpha_is_none_with_a_reason_when_undefined() -> None:
    same = cronbach_alpha(np.full((10, 4), 4.0))
    assert same.alpha is None and same.reason is not None and "vary" in same.reason
    one_item = cronbach_alpha(np.arange(10.0).reshape(10, 1))
    assert one_item.alpha is None and one_item.reason is not None and "two items" in one_item.reason
    one_person = cronbach_alpha([[1, 2, 3]])
    assert one_person.alpha is None and one_person.reason is not None
    assert "two respondents" in one_person.reason
    all_missing = cronbach_alpha([[1, None], [None, 2]])
    assert all_missing.alpha is None and all_missing.excluded == 2


def test_feldt_interval_reproduces_a_published_example() -> None:
    # Chris Evans' R function for Feldt's interval (MRC CBU statistics wiki): alpha 0.913
    # from 873 people on 20 items gives 0.9044024 to 0.9211588, printed to seven decimals.
    low, high = feldt_interval(0.913, respondents=873, items=20)
    assert abs(low - 0.9044024) < 5e-8 and abs(high - 0.9211588) < 5e-8


def alpha_interval_from_anova(matrix: np.ndarray, confidence: float) -> tuple[float, float]:
    """McGraw & Wong (1996) interval of ICC(C,k), which is alpha, from the ANOVA's F ratio.

    F = MS(persons) / MS(residual); lower 1 - F_crit(n-1, (n-1)(k-1)) / F, upper
    1 - 1 / (F * F_crit((n-1)(k-1), n-1)): the reciprocal quantile with swapped degrees of
    freedom instead of Feldt's lower quantile.
    """
    people, items = matrix.shape
    frame = pd.DataFrame(
        {
            "score": matrix.ravel(),
            "person": np.repeat(np.arange(people), items),
            "item": np.tile(np.arange(items), people),
        }
    )
    table = anova_lm(ols("score ~ C(person) + C(item)", data=frame).fit())
    ratio = table.loc["C(person)", "mean_sq"] / table.loc["Residual", "mean_sq"]
    df_people, df_error = people - 1, (people - 1) * (items - 1)
    tail = 1 - (1 - confidence) / 2
    low = 1 - stats.f.ppf(tail, df_people, df_error) / ratio
    high = 1 - 1 / (ratio * stats.f.ppf(tail, df_error, df_people))
    return float(low), float(high)


def test_cronbach_alpha_interval_matches_the_anova_route_through_statsmodels() -> None:
    rng = np.random.default_rng(23)
    for people, items in ((3, 2), (12, 4), (25, 6), (40, 8)):
        matrix = scale_answers(rng, people, items)
        for confidence in (0.9, 0.95):
            result = cronbach_alpha(matrix, confidence=confidence)
            low, high = alpha_interval_from_anova(matrix, confidence)
            assert close(result.ci_low, low) and close(result.ci_high, high), (people, items)
            assert result.ci_low is not None and result.alpha is not None
            assert result.ci_high is not None and result.ci_low < result.alpha < result.ci_high


def test_feldt_interval_covers_the_population_alpha_at_its_nominal_rate() -> None:
    # Parallel items: a normal trait plus independent normal errors of variance 1, so each
    # pair of items correlates 1/2 and the population alpha is k/2 / (1 + (k - 1)/2).
    rng = np.random.default_rng(1965)
    people, items, runs = 30, 5, 2000
    population_alpha = items * 0.5 / (1 + (items - 1) * 0.5)
    covered = 0
    for _ in range(runs):
        matrix = rng.normal(size=(people, 1)) + rng.normal(size=(people, items))
        result = cronbach_alpha(matrix)
        assert result.ci_low is not None and result.ci_high is not None
        covered += result.ci_low <= population_alpha <= result.ci_high
    assert 0.935 <= covered / runs <= 0.965


def test_cronbach_alpha_flags_low_or_negative_reliability_and_few_respondents() -> None:
    rng = np.random.default_rng(24)
    good = cronbach_alpha(scale_answers(rng, 60, 8))
    assert good.alpha is not None and good.alpha >= 0.6
    assert not (good.low_reliability or good.negative or good.small_sample)
    reversed_item = scale_answers(rng, 15, 2)
    reversed_item[:, 1] = 6 - reversed_item[:, 1]
    bad = cronbach_alpha(reversed_item)
    assert bad.alpha is not None and bad.alpha < 0
    assert bad.low_reliability and bad.negative and bad.small_sample
    assert bad.ci_low is not None and bad.ci_low < bad.alpha
    weak = cronbach_alpha(np.column_stack([rng.integers(1, 6, 40), rng.integers(1, 6, 40)]))
    assert weak.alpha is not None and weak.alpha < 0.6  # two unrelated items
    assert weak.low_reliability and not weak.small_sample
    undefined = cronbach_alpha(np.full((30, 3), 2.0))
    assert undefined.alpha is None and undefined.ci_low is None
    assert not (undefined.low_reliability or undefined.negative)


# --- paired change ------------------------------------------------------------------------


def wave_pairs(rng: np.random.Generator, n: int, likert: bool) -> tuple[np.ndarray, np.ndarray]:
    if likert:
        before = rng.integers(1, 6, n).astype(float)
        after = np.clip(before + rng.integers(-1, 3, n), 1, 5)
    else:
        before = rng.normal(3, 1, n)
        after = before + rng.normal(0.3, 0.8, n)
    return before, after


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_paired_t_test_matches_scipy_ttest_rel_on_generated_waves() -> None:
    rng = np.random.default_rng(42)
    for n in (2, 3, 4, 8, 13, 14, 30, 51, 200):
        for likert in (False, True):
            before, after = wave_pairs(rng, n, likert)
            differences = after - before
            if np.all(differences == differences[0]):
                continue
            for confidence in (0.9, 0.95):
                result = paired_change(before, after, confidence=confidence)
                reference = stats.ttest_rel(after, before)
                ci = reference.confidence_interval(confidence_level=confidence)
                assert close(result.t, reference.statistic), (n, likert)
                assert close(result.p_value, reference.pvalue)
                assert result.df == n - 1
                assert close(result.ci_low, ci.low) and close(result.ci_high, ci.high)
                assert close(result.mean_difference, pystats.fmean(differences))
                assert close(result.sd_difference, pystats.stdev(differences))
                assert close(
                    result.cohens_dz, pystats.fmean(differences) / pystats.stdev(differences)
                )


@given(pairs=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=2, max_size=60))
@settings(max_examples=150, deadline=None)
def test_paired_t_test_matches_scipy_for_any_likert_waves(pairs: list[tuple[int, int]]) -> None:
    before = np.array([p[0] for p in pairs], dtype=float)
    after = np.array([p[1] for p in pairs], dtype=float)
    result = paired_change(before, after)
    differences = after - before
    if np.all(differences == differences[0]):
        assert result.t is None and result.reason is not None
        return
    reference = stats.ttest_rel(after, before)
    assert close(result.t, reference.statistic) and close(result.p_value, reference.pvalue)


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")
def test_signed_rank_statistic_and_p_value_match_scipy_wilcoxon() -> None:
    rng = np.random.default_rng(8)
    checked = 0
    for n in (2, 5, 9, 13, 14, 20, 35, 50, 51, 120):
        for likert in (False, True):
            for _ in range(3):
                before, after = wave_pairs(rng, n, likert)
                if np.all(after == before):
                    continue
                result = paired_change(before, after)
                reference = stats.wilcoxon(after, before)
                assert close(result.wilcoxon_statistic, float(reference.statistic)), (n, likert)
                assert close(result.wilcoxon_p_value, float(reference.pvalue)), (n, likert)
                checked += 1
    assert checked > 50


def test_hedges_correction_matches_the_gamma_function_and_its_approximation() -> None:
    for df in range(2, 150):
        exact = math.gamma(df / 2) / (math.sqrt(df / 2) * math.gamma((df - 1) / 2))
        assert math.isclose(hedges_correction(df), exact, rel_tol=1e-12)
    for df in (10, 50, 1000):
        assert math.isclose(hedges_correction(df), 1 - 3 / (4 * df - 1), rel_tol=1e-3)
    assert hedges_correction(1) == 0.0


def test_hedges_gz_is_the_corrected_dz() -> None:
    before, after = wave_pairs(np.random.default_rng(4), 25, likert=False)
    result = paired_change(before, after)
    assert result.cohens_dz is not None
    assert close(result.hedges_gz, hedges_correction(24) * result.cohens_dz)


def test_paired_change_when_nobody_changed_reports_p_one_and_no_t() -> None:
    result = paired_change([3, 4, 5, 2], [3, 4, 5, 2])
    assert result.t is None and result.cohens_dz is None and result.reason is not None
    assert result.p_value == 1.0 and (result.ci_low, result.ci_high) == (0.0, 0.0)
    assert result.mean_difference == 0.0 and result.wilcoxon_p_value == 1.0


def test_paired_change_when_everyone_moved_by_the_same_amount_has_no_t() -> None:
    result = paired_change([1, 2, 3], [2, 3, 4])
    assert result.t is None and result.p_value is None and result.reason is not None
    assert (result.ci_low, result.ci_high) == (1.0, 1.0) and result.mean_difference == 1.0


def scale_waves(
    rng: np.random.Generator, n: int, items: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Start and end sums of ``items`` 1-5 answers per person, and the scale scores (means)."""
    before_sums = rng.integers(1, 6, (n, items)).sum(axis=1)
    after_sums = np.clip(before_sums + rng.integers(-items, 2 * items, n), items, 5 * items)
    return before_sums, after_sums, before_sums / items, after_sums / items


def test_paired_change_when_everyone_gains_two_thirds_of_a_point_has_no_t() -> None:
    # Three-item scale means: (s + 2)/3 - s/3 is 2/3 give or take one unit in the last place,
    # which an exact comparison takes for variation and turns into t of about 1e16.
    sums = np.random.default_rng(6).integers(3, 14, 20)
    assert np.ptp((sums + 2) / 3 - sums / 3) > 0
    for items in (None, 3):
        result = paired_change(sums / 3, (sums + 2) / 3, items=items)
        assert result.t is None and result.p_value is None and result.cohens_dz is None
        assert result.reason is not None and "same amount" in result.reason
        assert close(result.mean_difference, 2 / 3) and result.sd_difference == 0.0
        assert close(result.ci_low, 2 / 3) and close(result.ci_high, 2 / 3)
        nobody = paired_change(sums / 3, sums * (1 / 3), items=items)
        assert nobody.p_value == 1.0 and nobody.t is None and nobody.mean_difference == 0.0


def test_paired_change_when_continuous_differences_agree_to_rounding_has_no_t() -> None:
    before = np.random.default_rng(13).normal(3, 1, 12)
    after = before + 0.1  # every sum rounds on its own, so the differences differ by ~1e-16
    assert np.ptp(after - before) > 0
    result = paired_change(before, after)
    assert result.t is None and result.reason is not None and "same amount" in result.reason


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_signed_rank_on_scale_scores_ranks_true_ties_alike() -> None:
    # scipy on the whole-number sums is the reference: there a tie is a tie.
    rng = np.random.default_rng(63)
    checked = 0
    for _ in range(60):
        n, items = int(rng.integers(10, 60)), int(rng.integers(2, 8))
        before_sums, after_sums, before, after = scale_waves(rng, n, items)
        if np.all(before_sums == after_sums):
            continue
        result = paired_change(before, after, items=items)
        reference = stats.wilcoxon(after_sums, before_sums)
        assert close(result.wilcoxon_p_value, float(reference.pvalue)), (n, items)
        assert close(result.wilcoxon_statistic, float(reference.statistic))
        checked += 1
    assert checked > 45


def test_paired_change_of_scale_scores_with_the_item_count_matches_scipy_on_sums() -> None:
    rng = np.random.default_rng(17)
    for n, items in ((5, 3), (14, 4), (40, 6), (120, 5)):
        before_sums, after_sums, before, after = scale_waves(rng, n, items)
        result = paired_change(before, after, items=items)
        assert close(result.wilcoxon_p_value, float(stats.wilcoxon(after_sums, before_sums).pvalue))
        reference = stats.ttest_rel(after_sums / items, before_sums / items)
        assert close(result.t, reference.statistic) and close(result.p_value, reference.pvalue)
        assert close(result.mean_difference, float((after_sums - before_sums).mean()) / items)


def test_paired_change_with_varying_item_counts_still_ranks_ties_alike() -> None:
    # Means of two or of three answers (a respondent who skipped an item) share sixths.
    before = np.array([3 / 2, 7 / 3, 4 / 3, 2.0, 5 / 2, 11 / 3, 3.0, 2 / 3 + 1])
    after = before + np.array([1 / 2, 1 / 3, 1 / 2, -1 / 3, 1 / 2, 1 / 3, -1 / 2, 1 / 3])
    result = paired_change(before, after, items=6)
    sixths = np.rint(after * 6) - np.rint(before * 6)
    reference = stats.wilcoxon(sixths)
    assert close(result.wilcoxon_p_value, float(reference.pvalue))
    assert close(result.wilcoxon_statistic, float(reference.statistic))


def test_paired_change_refuses_scores_that_are_not_means_of_the_stated_item_count() -> None:
    with pytest.raises(ValueError, match="3 whole-number answers"):
        paired_change([1.5, 2.0], [2.0, 2.5], items=3)
    with pytest.raises(ValueError):
        paired_change([1, 2], [2, 3], items=0)


def test_paired_change_with_one_pair_gives_the_difference_only() -> None:
    result = paired_change([2], [4])
    assert result.n_pairs == 1 and result.mean_difference == 2.0
    assert result.t is None and result.p_value is None and result.df is None
    assert result.reason is not None and "two pairs" in result.reason


def test_paired_change_drops_pairs_with_a_missing_wave() -> None:
    result = paired_change([1, 2, None, 4, 5], [2, np.nan, 3, 5, 4])
    reference = stats.ttest_rel([2, 5, 4], [1, 4, 5])
    assert result.n_pairs == 3 and result.excluded == 2
    assert close(result.t, reference.statistic) and close(result.p_value, reference.pvalue)
    with pytest.raises(ValueError):
        paired_change([1, 2], [1])


def test_paired_change_reports_attrition_between_the_waves() -> None:
    # Everyone who answered either wave, aligned by person; None where they did not answer.
    before = [1, 2, None, 4, 5, None, 3, 3]
    after = [2, None, 3, 5, 4, None, None, 4]
    result = paired_change(before, after)
    assert (result.answered_before, result.answered_after, result.n_pairs) == (6, 5, 4)
    assert result.lost_to_follow_up == 2 and result.excluded == 4
    reference = stats.ttest_rel([2, 5, 4, 4], [1, 4, 5, 3])
    assert close(result.t, reference.statistic)


def test_paired_change_is_labelled_uncontrolled_and_flags_few_pairs() -> None:
    rng = np.random.default_rng(31)
    few = paired_change(*wave_pairs(rng, 19, likert=True))
    many = paired_change(*wave_pairs(rng, 20, likert=True))
    assert few.design == many.design == "uncontrolled_pre_post"
    assert few.small_sample and not many.small_sample
    empty = paired_change([], [])
    assert empty.answered_before == 0 and empty.small_sample


# --- NPS ----------------------------------------------------------------------------------


def nps_by_scoring(answers: list[int], confidence: float) -> tuple[float, float, float]:
    """Score each answer +1/0/-1: NPS is 100 * mean, its variance the population variance / n."""
    scores = np.array([1 if a >= 9 else -1 if a <= 6 else 0 for a in answers], dtype=float)
    mean = scores.mean()
    se = math.sqrt(scores.var(ddof=0) / scores.size)
    z = stats.norm.ppf(0.5 + confidence / 2)
    return 100 * mean, max(-100, 100 * (mean - z * se)), min(100, 100 * (mean + z * se))


@given(
    answers=st.lists(st.integers(0, 10), min_size=1, max_size=300),
    confidence=st.sampled_from(CONFIDENCES),
)
@settings(max_examples=300, deadline=None)
def test_nps_and_interval_match_scoring_each_answer(answers: list[int], confidence: float) -> None:
    result = nps(answers, confidence=confidence)
    score, low, high = nps_by_scoring(answers, confidence)
    assert close(result.score, score) and close(result.low, low) and close(result.high, high)
    assert result.promoters + result.passives + result.detractors == len(answers)


def test_nps_on_generated_surveys_matches_scoring_each_answer() -> None:
    rng = np.random.default_rng(10)
    for size in (1, 2, 7, 30, 500, 5000):
        answers = [int(a) for a in rng.integers(0, 11, size)]
        result = nps(answers)
        score, low, high = nps_by_scoring(answers, 0.95)
        assert close(result.score, score) and close(result.low, low) and close(result.high, high)


def test_nps_of_all_promoters_is_100_with_a_zero_width_interval() -> None:
    result = nps([9, 10, 10, 9])
    assert (result.score, result.low, result.high) == (100.0, 100.0, 100.0)
    assert result.standard_error == 0.0


def nps_adjusted_by_pseudo_answers(answers: list[int], confidence: float) -> tuple[float, float]:
    """Adjusted Wald as weighted scoring: 3/4 of a promoter (+1), 3/4 of a detractor (-1) and
    1.5 passives (0) added to the answers; the interval is the weighted mean +/- z times the
    square root of the weighted population variance over n + 3, clipped, and stretched to
    hold the plain score."""
    scores = [1.0 if a >= 9 else -1.0 if a <= 6 else 0.0 for a in answers] + [1.0, -1.0, 0.0]
    weights = [1.0] * len(answers) + [0.75, 0.75, 1.5]
    total = sum(weights)
    mean = sum(w * s for w, s in zip(weights, scores, strict=True)) / total
    variance = sum(w * (s - mean) ** 2 for w, s in zip(weights, scores, strict=True)) / total
    z = stats.norm.ppf(0.5 + confidence / 2)
    half = z * math.sqrt(variance / total)
    plain = 100 * sum(scores[: len(answers)]) / len(answers)
    low = max(-100.0, 100 * (mean - half))
    high = min(100.0, 100 * (mean + half))
    return min(low, plain), max(high, plain)


@given(
    answers=st.lists(st.integers(0, 10), min_size=1, max_size=300),
    confidence=st.sampled_from(CONFIDENCES),
)
@settings(max_examples=300, deadline=None)
def test_adjusted_wald_nps_interval_matches_weighted_pseudo_answers(
    answers: list[int], confidence: float
) -> None:
    result = nps(answers, confidence=confidence, method="adjusted_wald")
    low, high = nps_adjusted_by_pseudo_answers(answers, confidence)
    assert close(result.low, low) and close(result.high, high)
    assert result.method == "adjusted_wald"
    assert close(result.score, nps_by_scoring(answers, confidence)[0])
    assert result.low is not None and result.high is not None and result.score is not None
    assert result.low <= result.score <= result.high


def test_adjusted_wald_nps_interval_has_width_at_plus_and_minus_100_with_five_people() -> None:
    top = nps([10, 9, 10, 10, 9], method="adjusted_wald")
    assert top.score == 100.0 and top.high == 100.0
    assert top.low is not None and top.low < 50.0  # five people cannot pin it near 100
    bottom = nps([0, 3, 6, 5, 1], method="adjusted_wald")
    assert bottom.score == -100.0 and bottom.low == -100.0
    assert bottom.high is not None and bottom.high > -50.0
    wald = nps([10, 9, 10, 10, 9])
    assert (wald.low, wald.high) == (100.0, 100.0)  # the plain interval collapses


def nps_coverage(
    n: int, shares: tuple[float, float, float], method: str, rng: np.random.Generator
) -> float:
    """Share of simulated surveys of n people whose 95 % interval holds the true NPS."""
    truth = 100 * (shares[0] - shares[2])
    intervals: dict[tuple[int, int], tuple[float, float]] = {}
    covered = 0
    draws = rng.multinomial(n, shares, size=4000)
    for promoters, passives, detractors in draws:
        key = (int(promoters), int(detractors))
        if key not in intervals:
            answers = [10] * key[0] + [8] * int(passives) + [3] * key[1]
            result = nps(answers, method=method)  # type: ignore[arg-type]
            assert result.low is not None and result.high is not None
            intervals[key] = (result.low, result.high)
        low, high = intervals[key]
        covered += low - 1e-9 <= truth <= high + 1e-9
    return covered / len(draws)


def test_adjusted_wald_nps_interval_keeps_its_coverage_with_few_people_and_extreme_scores() -> None:
    # (promoters, passives, detractors) from a balanced programme to NPS +98 and -85.
    truths = [
        (0.34, 0.33, 0.33),
        (0.4, 0.2, 0.4),
        (0.6, 0.2, 0.2),
        (0.8, 0.1, 0.1),
        (0.9, 0.05, 0.05),
        (0.95, 0.05, 0.0),
        (0.99, 0.0, 0.01),
        (0.05, 0.05, 0.9),
    ]
    rng = np.random.default_rng(2016)
    for n in (5, 10):
        adjusted = [nps_coverage(n, shares, "adjusted_wald", rng) for shares in truths]
        wald = [nps_coverage(n, shares, "wald", rng) for shares in truths]
        assert min(adjusted) >= 0.88, (n, adjusted)
        assert sum(adjusted) / len(adjusted) >= 0.93, (n, adjusted)
        # The plain interval, for contrast: near +/-100 it misses most of the time.
        assert min(wald) < 0.5, (n, wald)


def test_nps_of_no_answers_is_none_and_off_scale_answers_are_rejected() -> None:
    empty = nps([None])
    assert empty.score is None and empty.n == 0 and empty.missing == 1
    with pytest.raises(ValueError):
        nps([11])


# --- percentile rank ----------------------------------------------------------------------


@given(
    value=st.integers(0, 20),
    population=st.lists(st.integers(0, 20), min_size=1, max_size=50),
    kind=st.sampled_from(["mean", "weak", "strict", "rank"]),
)
@settings(max_examples=300, deadline=None)
def test_percentile_rank_matches_scipy_percentileofscore(
    value: int, population: list[int], kind: str
) -> None:
    ours = percentile_rank(value, population, kind=kind)  # type: ignore[arg-type]
    assert close(ours, float(stats.percentileofscore(population, value, kind=kind)))


def test_percentile_rank_on_generated_benchmarks_and_edges() -> None:
    rng = np.random.default_rng(3)
    population = np.round(rng.normal(60, 10, 80), 1)
    for value in (30.0, 55.5, float(population[3]), 95.0):
        for kind in ("mean", "weak", "strict", "rank"):
            reference = stats.percentileofscore(population, value, kind=kind)
            assert close(percentile_rank(value, population, kind=kind), float(reference))  # type: ignore[arg-type]
    assert percentile_rank(70, [70, 70, 70]) == 50.0
    assert percentile_rank(70, []) is None
    assert percentile_rank(70, [60, None, 80]) == 50.0
    with pytest.raises(ValueError):
        percentile_rank(70, [60], kind="median")  # type: ignore[arg-type]


def test_percentile_rank_is_withheld_below_a_minimum_number_of_other_programmes() -> None:
    population = [0.52, 0.61, 0.70, None, 0.75, 0.81, 0.64, 0.58, 0.90, 0.66]
    answered = [p for p in population if p is not None]
    assert len(answered) == 9
    assert percentile_rank(0.7, population, minimum=BENCHMARK_MINIMUM) is None
    ten = percentile_rank(0.7, [*population, 0.72], minimum=BENCHMARK_MINIMUM)
    assert close(ten, float(stats.percentileofscore([*answered, 0.72], 0.7, kind="mean")))
    assert percentile_rank(0.7, population, minimum=9) is not None
    assert percentile_rank(0.7, population) is not None  # callers that set no minimum
    with pytest.raises(ValueError):
        percentile_rank(0.7, population, minimum=0)


def test_empty_inputs_give_none_or_neutral_results_without_errors() -> None:
    curve = kaplan_meier([], [])
    assert curve.survival == (1.0,) and curve.n == 0 and curve.median is None
    assert logrank_test([], [], [], []).p_value == 1.0
    assert paired_change([], []).mean_difference is None
    assert cronbach_alpha(np.empty((0, 3))).alpha is None
    assert item_distribution([]).mean is None and nps([]).score is None
