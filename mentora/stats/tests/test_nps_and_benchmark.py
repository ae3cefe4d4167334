"""Net promoter scores and their intervals by scoring each answer; percentile ranks
against scipy, withheld among too few programmes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mentora.stats import (
    BENCHMARK_MINIMUM,
    cronbach_alpha,
    item_distribution,
    kaplan_meier,
    logrank_test,
    nps,
    paired_change,
    percentile_rank,
)
from mentora.stats.tests.checks import CONFIDENCES, close

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
