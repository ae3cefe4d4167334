"""Item distributions, t intervals of means and Cronbach's alpha with Feldt's interval,
against statsmodels, scipy and Python's ``statistics``, and formulas derived differently."""

from __future__ import annotations

import statistics as pystats
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from statsmodels.formula.api import ols
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.weightstats import DescrStatsW

from mentora.stats import (
    cronbach_alpha,
    feldt_interval,
    item_distribution,
    mean_interval,
    scale_mean,
)
from mentora.stats.tests.checks import CONFIDENCES, TOL, close

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
