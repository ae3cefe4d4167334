"""Paired change before and after: the t-test and the signed-rank test against scipy, on
whole-number sums so true ties rank alike, with attrition and the design labelled."""

from __future__ import annotations

import math
import statistics as pystats

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mentora.stats import (
    hedges_correction,
    paired_change,
)
from mentora.stats.tests.checks import close

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
