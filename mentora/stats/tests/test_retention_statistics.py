"""Retention statistics against lifelines on generated follow-up data."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test as lifelines_logrank
from numpy.testing import assert_allclose
from statsmodels.duration.survfunc import survdiff

from mentora.stats import kaplan_meier, logrank_test, stratified_logrank_test

TOL = 1e-9


def close(a: float | None, b: float) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=0.0, abs_tol=TOL)


# --- Kaplan-Meier -------------------------------------------------------------------------


def retention(rng: np.random.Generator, n: int, ties: bool) -> tuple[np.ndarray, np.ndarray]:
    """Months to leaving (event) or to the end of follow-up (censored)."""
    leave = rng.exponential(30, n)
    follow_up = rng.uniform(6, 48, n)
    durations = np.minimum(leave, follow_up)
    if ties:
        durations = np.ceil(durations)  # monthly data: many ties of events and censorings
    return durations, (leave <= follow_up).astype(int)


def assert_km_matches_lifelines(
    durations: np.ndarray, events: np.ndarray, timeline: np.ndarray | None = None
) -> None:
    fitter = KaplanMeierFitter().fit(durations, events, timeline=timeline)
    ours = kaplan_meier(durations, events, timeline)
    reference_times = fitter.survival_function_.index.to_numpy(dtype=float)
    assert_allclose(ours.times, reference_times, atol=TOL, rtol=0)
    assert_allclose(ours.survival, fitter.survival_function_.iloc[:, 0], atol=TOL, rtol=0)
    assert_allclose(ours.ci_low, fitter.confidence_interval_.iloc[:, 0], atol=TOL, rtol=0)
    assert_allclose(ours.ci_high, fitter.confidence_interval_.iloc[:, 1], atol=TOL, rtol=0)
    greenwood = fitter.survival_function_.iloc[:, 0] ** 2 * fitter._cumulative_sq_
    assert_allclose(ours.variance, greenwood, atol=TOL, rtol=0)
    if timeline is None:
        table = fitter.event_table
        assert list(ours.at_risk) == table["at_risk"].tolist()
        assert list(ours.events) == table["observed"].tolist()
        assert list(ours.censored) == table["censored"].tolist()
        median = fitter.median_survival_time_
        assert ours.median == (None if math.isinf(median) else median)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_kaplan_meier_matches_lifelines_on_generated_retention() -> None:
    rng = np.random.default_rng(99)
    for n in (1, 2, 3, 10, 40, 300):
        for ties in (False, True):
            durations, events = retention(rng, n, ties)
            assert_km_matches_lifelines(durations, events)
            timeline = np.linspace(0, 50, 26)
            assert_km_matches_lifelines(durations, events, timeline)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_kaplan_meier_band_at_chosen_times_matches_lifelines_at_every_confidence() -> None:
    # The pointwise Greenwood band on the log(-log S) scale, read at the times a report
    # prints (every six months), for the confidence levels a report might use.
    rng = np.random.default_rng(606)
    timeline = np.arange(0.0, 49.0, 6.0)
    for n, ties in ((8, True), (60, False), (250, True)):
        durations, events = retention(rng, n, ties)
        for confidence in (0.8, 0.9, 0.95, 0.99):
            fitter = KaplanMeierFitter(alpha=1 - confidence).fit(
                durations, events, timeline=timeline
            )
            ours = kaplan_meier(durations, events, timeline, confidence=confidence)
            band = fitter.confidence_interval_
            assert_allclose(ours.ci_low, band.iloc[:, 0], atol=TOL, rtol=0)
            assert_allclose(ours.ci_high, band.iloc[:, 1], atol=TOL, rtol=0)
            assert ours.at_risk == tuple(int((durations >= t).sum()) for t in timeline)
            assert all(
                lo <= s <= hi
                for lo, s, hi in zip(ours.ci_low, ours.survival, ours.ci_high, strict=True)
            )


def test_kaplan_meier_counts_at_risk_at_requested_times() -> None:
    durations, events = retention(np.random.default_rng(5), 80, ties=True)
    curve = kaplan_meier(durations, events, [0, 6, 12, 18.5, 24, 36, 100])
    assert curve.at_risk == tuple(int((durations >= t).sum()) for t in curve.times)
    assert curve.at_risk[-1] == 0
    left = events == 1
    assert curve.events == tuple(int((left & (durations == t)).sum()) for t in curve.times)
    assert curve.censored == tuple(int((~left & (durations == t)).sum()) for t in curve.times)
    assert sum(curve.events) > 0 and curve.events[3] == 0  # 18.5 is not a whole month


def test_kaplan_meier_without_censoring_is_the_empirical_survival_with_binomial_variance() -> None:
    rng = np.random.default_rng(12)
    durations = rng.exponential(20, 60)
    curve = kaplan_meier(durations, np.ones(60))
    for t, s, variance in zip(curve.times, curve.survival, curve.variance, strict=True):
        empirical = float((durations > t).mean())
        assert close(s, empirical)
        assert close(variance, empirical * (1 - empirical) / 60)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_kaplan_meier_with_no_events_stays_at_one() -> None:
    durations = np.array([3.0, 5.0, 5.0, 8.0])
    curve = kaplan_meier(durations, np.zeros(4))
    assert set(curve.survival) == {1.0} and set(curve.ci_low) == {1.0}
    assert set(curve.variance) == {0.0} and curve.median is None and curve.n_events == 0
    assert_km_matches_lifelines(durations, np.zeros(4))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_kaplan_meier_counts_events_before_censorings_at_tied_times() -> None:
    durations = np.array([2, 2, 2, 4, 4, 6], dtype=float)
    events = np.array([1, 0, 0, 1, 0, 1])
    curve = kaplan_meier(durations, events)
    # At 2: 6 at risk, 1 leaver (the two censored still count); at 4: 3 at risk, 1 leaver.
    assert curve.at_risk == (6, 6, 3, 1)
    assert close(curve.survival[1], 5 / 6) and close(curve.survival[2], 5 / 6 * 2 / 3)
    assert curve.survival[3] == 0.0 and (curve.ci_low[3], curve.ci_high[3]) == (0.0, 0.0)
    assert_km_matches_lifelines(durations, events)


def exact_median(durations: np.ndarray, events: np.ndarray) -> tuple[float | None, bool]:
    """The first time the product-limit estimate is at most 1/2, in rational arithmetic,
    and whether it is exactly 1/2 there."""
    survival = Fraction(1)
    for t in sorted(set(durations.tolist())):
        at_risk = int((durations >= t).sum())
        leavers = int(((durations == t) & (events == 1)).sum())
        survival *= Fraction(at_risk - leavers, at_risk)
        if survival <= Fraction(1, 2):
            return float(t), survival == Fraction(1, 2)
    return None, False


def test_kaplan_meier_median_is_exact_where_the_curve_lands_on_one_half() -> None:
    # 12 people, monthly data: S is exactly 1/2 at 7 months, but the float product of the
    # factors comes out a hair above it.
    durations = np.array([8, 11, 10, 7, 1, 1, 7, 2, 2, 11, 10, 4], dtype=float)
    events = np.array([1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1])
    assert exact_median(durations, events) == (7.0, True)
    assert kaplan_meier(durations, events).median == 7.0


def test_kaplan_meier_median_matches_rational_arithmetic_on_generated_retention() -> None:
    rng = np.random.default_rng(50)
    landed = 0
    for _ in range(3000):
        n = int(rng.integers(2, 30))
        durations = rng.integers(1, 12, n).astype(float)
        events = (rng.random(n) < 0.7).astype(int)
        expected, on_half = exact_median(durations, events)
        assert kaplan_meier(durations, events).median == expected, (durations, events)
        landed += on_half
    assert landed > 100  # the delicate case, S exactly 1/2, is well represented


def test_kaplan_meier_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        kaplan_meier([1, -2], [1, 1])
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [1, 2])
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [1])


# --- log-rank -----------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_logrank_matches_lifelines_on_generated_groups() -> None:
    rng = np.random.default_rng(2718)
    for n_a, n_b in ((2, 3), (5, 5), (20, 35), (150, 140)):
        for ties in (False, True):
            da, ea = retention(rng, n_a, ties)
            db, eb = retention(rng, n_b, ties)
            ours = logrank_test(da, ea, db, eb)
            reference = lifelines_logrank(da, db, event_observed_A=ea, event_observed_B=eb)
            assert close(ours.statistic, reference.test_statistic), (n_a, n_b, ties)
            assert close(ours.p_value, reference.p_value)
            assert ours.observed_a == ea.sum() and ours.observed_b == eb.sum()
            assert close(ours.expected_a + ours.expected_b, float(ea.sum() + eb.sum()))


def test_logrank_without_events_is_zero_with_p_one() -> None:
    ours = logrank_test([1, 2, 3], [0, 0, 0], [4, 5], [0, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = lifelines_logrank([1, 2, 3], [4, 5], [0, 0, 0], [0, 0])
    assert (ours.statistic, ours.p_value) == (0.0, 1.0) and ours.reason is not None
    assert (reference.test_statistic, reference.p_value) == (0.0, 1.0)


def test_logrank_with_events_only_while_one_group_is_at_risk_has_no_evidence() -> None:
    ours = logrank_test([1, 2], [0, 0], [5, 6], [1, 1])
    assert (ours.statistic, ours.p_value) == (0.0, 1.0) and ours.reason is not None


# --- stratified log-rank -------------------------------------------------------------------


def matched_sets(
    rng: np.random.Generator, sets: int, controls: int, ties: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each set: one participant and ``controls`` matched colleagues sharing a set effect."""
    size = 1 + controls
    frailty = np.repeat(rng.normal(0, 0.7, sets), size)
    participant = np.tile(np.r_[1, np.zeros(controls, dtype=int)], sets)
    hazard = np.exp(frailty - 0.4 * participant) / 30
    leave = rng.exponential(1 / hazard)
    follow_up = rng.uniform(6, 48, sets * size)
    durations = np.minimum(leave, follow_up)
    if ties:
        durations = np.ceil(durations)
    events = (leave <= follow_up).astype(int)
    return durations, events, participant, np.repeat(np.arange(sets), size)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_stratified_logrank_matches_statsmodels_survdiff_with_strata() -> None:
    rng = np.random.default_rng(1959)
    for sets, controls in ((3, 1), (20, 1), (60, 1), (40, 3), (150, 2)):
        for ties in (False, True):
            durations, events, participant, strata = matched_sets(rng, sets, controls, ties)
            ours = stratified_logrank_test(durations, events, participant, strata)
            statistic, p_value = survdiff(durations, events, participant, strata=strata)
            assert close(ours.statistic, float(statistic)), (sets, controls, ties)
            assert close(ours.p_value, float(p_value))
            assert ours.strata == sets and ours.df == 1
            assert ours.observed_a == events[participant == 1].sum()
            assert close(ours.expected_a + ours.expected_b, float(events.sum()))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_stratified_logrank_with_one_stratum_is_the_log_rank_test_of_lifelines() -> None:
    rng = np.random.default_rng(4)
    durations, events, participant, _ = matched_sets(rng, 40, 2, ties=True)
    ours = stratified_logrank_test(durations, events, participant, np.zeros(durations.size))
    mine = participant == 1
    reference = lifelines_logrank(
        durations[mine],
        durations[~mine],
        event_observed_A=events[mine],
        event_observed_B=events[~mine],
    )
    assert close(ours.statistic, reference.test_statistic)
    assert close(ours.p_value, reference.p_value) and ours.strata == 1
    plain = logrank_test(durations[mine], events[mine], durations[~mine], events[~mine])
    assert close(ours.statistic, plain.statistic) and close(ours.variance, plain.variance)


def test_stratified_logrank_compares_within_matched_sets_only() -> None:
    # Set a turns over fast and holds most participants; set b is slow and holds most
    # colleagues. Within each set participants leave about when their colleagues do, so the
    # pooled test sees a difference that comes from the sets, and the stratified one does not.
    durations = np.array([1, 2, 3, 4, 5, 6, 3.5, 20, 21, 22, 23, 24, 25, 22.5])
    events = np.ones(14, dtype=int)
    participant = np.array([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1])
    strata = np.repeat(["a", "b"], 7)
    stratified = stratified_logrank_test(durations, events, participant, strata)
    mine = participant == 1
    pooled = logrank_test(durations[mine], events[mine], durations[~mine], events[~mine])
    reference = survdiff(durations, events, participant, strata=strata)
    assert close(stratified.statistic, float(reference[0]))
    assert stratified.statistic < 0.01 and pooled.statistic > 5.0


def test_stratified_logrank_without_comparable_leavers_has_no_evidence() -> None:
    # In each set the participant leaves after the colleague's follow-up has ended.
    result = stratified_logrank_test([6, 5, 7, 2], [1, 0, 1, 0], [1, 0, 1, 0], [0, 0, 1, 1])
    assert (result.statistic, result.p_value) == (0.0, 1.0) and result.reason is not None
    nobody = stratified_logrank_test([1, 5], [0, 0], [1, 0], [0, 0])
    assert nobody.p_value == 1.0 and nobody.reason is not None and "no leavers" in nobody.reason


def test_stratified_logrank_rejects_misaligned_or_invalid_input() -> None:
    with pytest.raises(ValueError):
        stratified_logrank_test([1, 2], [1, 0], [1], [0, 0])
    with pytest.raises(ValueError):
        stratified_logrank_test([1, 2], [1, 0], [1, 2], [0, 0])
    with pytest.raises(ValueError):
        stratified_logrank_test([1, 2], [1, 0], [1, 0], [0])
