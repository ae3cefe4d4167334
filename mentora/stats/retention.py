"""Retention: Kaplan-Meier curves and the log-rank test."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from mentora.stats.common import check_confidence, vector, z_value


def survival_data(durations: ArrayLike, events: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    times = vector(durations, "durations")
    observed = np.asarray(events)
    if observed.ndim == 0:
        observed = observed.reshape(1)
    if observed.shape != times.shape:
        raise ValueError("durations and events must have the same length")
    if not np.all(np.isfinite(times)) or (times < 0).any():
        raise ValueError("durations must be finite and non-negative")
    if not np.isin(observed, (0, 1, False, True)).all():
        raise ValueError("events must be 0/1 or booleans (1 = left the employer)")
    return times, observed.astype(bool)


# Relative band around 1/2 inside which the float product of the curve's factors cannot be
# trusted to fall on the right side: each factor 1 - d/n is rounded (relative error of about
# 1e-16 n/(n - d)), and a product of thousands of them stays far inside this band.
MEDIAN_BAND = 1e-9


def _median(
    steps: np.ndarray, at_risk: np.ndarray, deaths: np.ndarray, survival: np.ndarray
) -> float | None:
    """The first time with S <= 1/2, decided in integers where floats are too close to call.

    S at step i is prod (n_j - d_j) / prod n_j over the steps up to i, so S <= 1/2 exactly
    when 2 prod (n_j - d_j) <= prod n_j; Python's integers hold these products exactly.
    """
    for i in np.flatnonzero(survival <= 0.5 * (1 + MEDIAN_BAND)):
        if survival[i] < 0.5 * (1 - MEDIAN_BAND):
            return float(steps[i])
        left = deaths[: i + 1] > 0
        remaining = math.prod(int(v) for v in at_risk[: i + 1][left] - deaths[: i + 1][left])
        if 2 * remaining <= math.prod(int(v) for v in at_risk[: i + 1][left]):
            return float(steps[i])
    return None


@dataclass(frozen=True)
class SurvivalCurve:
    """Kaplan-Meier estimate at each time of ``times``.

    ``at_risk`` counts people with duration >= t; ``events``/``censored`` count durations
    exactly at t; ``variance`` is Greenwood's variance of S(t); ``median`` is the first event
    time with S <= 0.5, decided exactly (``None`` when the curve never gets there).
    """

    times: tuple[float, ...]
    at_risk: tuple[int, ...]
    events: tuple[int, ...]
    censored: tuple[int, ...]
    survival: tuple[float, ...]
    variance: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    confidence: float
    n: int
    n_events: int
    median: float | None


def kaplan_meier(
    durations: ArrayLike,
    events: ArrayLike,
    timeline: Sequence[float] | np.ndarray | None = None,
    *,
    confidence: float = 0.95,
) -> SurvivalCurve:
    """Product-limit estimate of the share still employed after each duration.

    At each distinct time t_i with n_i at risk (duration >= t_i) and d_i leavers::

        S(t)      = prod_{t_i <= t} (1 - d_i / n_i)
        Var S(t)  = S(t)² * sum_{t_i <= t} d_i / (n_i (n_i - d_i))      (Greenwood)
        CI        = S^exp(±z * sqrt(sum) / log S)     (log(-log S) transform)

    People censored at t_i are still at risk at t_i (events before censorings). Without a
    ``timeline`` the curve is given at 0 and every distinct duration; with one, at its
    sorted distinct values, carrying S forward from the last time at or before each value.
    Where S = 1 the interval is [1, 1]; once S reaches 0 the Greenwood term of that step
    (d = n, a division by zero) counts as 0 and the interval is [0, 0].
    """
    confidence = check_confidence(confidence)
    times, observed = survival_data(durations, events)
    steps = np.unique(np.concatenate(([0.0], times)))
    sorted_times = np.sort(times)
    at_risk = times.size - np.searchsorted(sorted_times, steps, side="left")
    position = np.searchsorted(steps, times)
    deaths = np.bincount(position, weights=observed, minlength=steps.size).astype(int)
    removed = np.bincount(position, minlength=steps.size)
    ratio = np.divide(deaths, at_risk, out=np.zeros(steps.size), where=at_risk > 0)
    survival = np.cumprod(1.0 - ratio)
    alive = at_risk - deaths
    terms = np.divide(
        deaths, at_risk * alive, out=np.zeros(steps.size), where=(at_risk * alive) > 0
    )
    greenwood = np.cumsum(terms)

    median = _median(steps, at_risk, deaths, survival)

    if timeline is None:
        grid = steps
        index = np.arange(steps.size)
    else:
        grid = np.unique(np.asarray(timeline, dtype=float))
        index = np.searchsorted(steps, grid, side="right") - 1
    before_start = index < 0
    safe = np.where(before_start, 0, index)
    s = np.where(before_start, 1.0, survival[safe])
    g = np.where(before_start, 0.0, greenwood[safe])

    z = z_value(confidence)
    low = s.copy()
    high = s.copy()
    interior = (s > 0) & (s < 1)
    log_s = np.log(s[interior])
    spread = z * np.sqrt(g[interior]) / log_s
    low[interior] = np.exp(-np.exp(np.log(-log_s) - spread))
    high[interior] = np.exp(-np.exp(np.log(-log_s) + spread))

    grid_risk = times.size - np.searchsorted(sorted_times, grid, side="left")
    # Events and censorings exactly at a requested time; none where it is not a duration.
    at_step = (index >= 0) & (steps[safe] == grid)
    grid_events = np.where(at_step, deaths[safe], 0)
    grid_censored = np.where(at_step, removed[safe] - deaths[safe], 0)
    return SurvivalCurve(
        times=tuple(float(t) for t in grid),
        at_risk=tuple(int(r) for r in grid_risk),
        events=tuple(int(d) for d in grid_events),
        censored=tuple(int(c) for c in grid_censored),
        survival=tuple(float(v) for v in s),
        variance=tuple(float(v) for v in s * s * g),
        ci_low=tuple(float(v) for v in low),
        ci_high=tuple(float(v) for v in high),
        confidence=confidence,
        n=int(times.size),
        n_events=int(observed.sum()),
        median=median,
    )


def _events_at(event_times: np.ndarray, leaving: np.ndarray) -> np.ndarray:
    """How many of the ``leaving`` durations fall on each of the sorted ``event_times``."""
    return np.bincount(np.searchsorted(event_times, leaving), minlength=event_times.size).astype(
        float
    )


@dataclass(frozen=True)
class LogRank:
    """Two-group log-rank test (1 degree of freedom); ``strata`` > 1 when stratified."""

    statistic: float
    p_value: float
    df: int
    observed_a: int
    expected_a: float
    observed_b: int
    expected_b: float
    variance: float
    reason: str | None
    strata: int = 1


def _logrank_sums(
    times_a: np.ndarray, observed_a: np.ndarray, times_b: np.ndarray, observed_b: np.ndarray
) -> tuple[float, float, int]:
    """E_a, V and the number of distinct event times of one stratum (see logrank_test)."""
    event_times = np.unique(np.concatenate((times_a[observed_a], times_b[observed_b])))
    if event_times.size == 0:
        return 0.0, 0.0, 0
    sorted_a, sorted_b = np.sort(times_a), np.sort(times_b)
    n_a = (times_a.size - np.searchsorted(sorted_a, event_times, side="left")).astype(float)
    n_b = (times_b.size - np.searchsorted(sorted_b, event_times, side="left")).astype(float)
    d = _events_at(event_times, times_a[observed_a]) + _events_at(event_times, times_b[observed_b])
    expected_a, variance = _logrank_terms(n_a, n_b, d)
    return expected_a, variance, int(event_times.size)


def _logrank_terms(n_a: np.ndarray, n_b: np.ndarray, d: np.ndarray) -> tuple[float, float]:
    """E_a and V summed over event times with n_a, n_b at risk and d leavers at each."""
    n = n_a + n_b
    denominator = n * n * (n - 1)
    variance = np.divide(
        d * (n - d) * n_a * n_b, denominator, out=np.zeros(d.size), where=denominator > 0
    )
    return float((d * n_a / n).sum()), float(variance.sum())


def _logrank_result(
    observed_a: int,
    expected_a: float,
    observed_b: int,
    expected_b: float,
    variance: float,
    strata: int,
) -> LogRank:
    if variance <= 0:
        reason = (
            "no leavers in either group"
            if observed_a + observed_b == 0
            else "leavers only while one group was at risk"
        )
        return LogRank(
            0.0, 1.0, 1, observed_a, expected_a, observed_b, expected_b, 0.0, reason, strata
        )
    statistic = (observed_a - expected_a) ** 2 / variance
    return LogRank(
        statistic=statistic,
        p_value=float(stats.chi2.sf(statistic, 1)),
        df=1,
        observed_a=observed_a,
        expected_a=expected_a,
        observed_b=observed_b,
        expected_b=expected_b,
        variance=variance,
        reason=None,
        strata=strata,
    )


def logrank_test(
    durations_a: ArrayLike,
    events_a: ArrayLike,
    durations_b: ArrayLike,
    events_b: ArrayLike,
) -> LogRank:
    """Log-rank test that two groups (participants, matched non-participants) leave alike.

    At each distinct event time with n = n_a + n_b at risk and d = d_a + d_b leavers::

        E_a = sum d * n_a / n
        V   = sum d * (n - d) * n_a * n_b / (n² (n - 1))      (hypergeometric; 0 when n = 1)
        chi² = (O_a - E_a)² / V,   p = P(chi²_1 > chi²)

    When V = 0 (no events, or events only while one group is at risk) nothing can be
    compared: the statistic is 0, p is 1.0 and ``reason`` says so.
    """
    times_a, observed_a = survival_data(durations_a, events_a)
    times_b, observed_b = survival_data(durations_b, events_b)
    expected_a, variance, _ = _logrank_sums(times_a, observed_a, times_b, observed_b)
    o_a, o_b = int(observed_a.sum()), int(observed_b.sum())
    return _logrank_result(o_a, expected_a, o_b, o_a + o_b - expected_a, variance, 1)


def stratified_logrank_test(
    durations: ArrayLike, events: ArrayLike, groups: ArrayLike, strata: ArrayLike
) -> LogRank:
    """Log-rank test within strata, such as the matched sets of a comparison group.

    ``groups`` marks group a (1 or ``True``: a participant) against group b (0: a matched
    colleague); ``strata`` labels each person's matched set. O_a, E_a and V of
    :func:`logrank_test` are computed within each stratum and summed before forming
    chi² = (sum O_a - sum E_a)² / sum V on 1 degree of freedom (Kalbfleisch & Prentice,
    2002, 7.3), so people are compared only with those of their own set and differences
    between sets (a department with high turnover) cannot pass for a programme effect. A
    set where nobody leaves while both groups are at risk adds nothing.
    """
    times, observed = survival_data(durations, events)
    marks = np.asarray(groups)
    labels = np.asarray(strata)
    if marks.shape != times.shape or labels.shape != times.shape:
        raise ValueError("durations, events, groups and strata must have the same length")
    if not np.isin(marks, (0, 1, False, True)).all():
        raise ValueError("groups must be 0/1 or booleans (1 = the first group)")
    in_a = marks.astype(bool)
    _, stratum = np.unique(labels, return_inverse=True)
    # Matched sets can number thousands: rather than loop over them, each person gets one
    # integer key, stratum * K + rank of their time, so that everyone of a stratum at risk
    # at a time t (same stratum, time >= t) is one slice of the sorted keys of each group.
    _, rank = np.unique(times, return_inverse=True)
    width = int(rank.max()) + 2 if rank.size else 1
    key = stratum.astype(np.int64) * width + rank
    keys_a, keys_b = np.sort(key[in_a]), np.sort(key[~in_a])
    events, d = np.unique(key[observed], return_counts=True)
    stratum_end = (events // width + 1) * width
    n_a = (np.searchsorted(keys_a, stratum_end) - np.searchsorted(keys_a, events)).astype(float)
    n_b = (np.searchsorted(keys_b, stratum_end) - np.searchsorted(keys_b, events)).astype(float)
    expected_a, variance = _logrank_terms(n_a, n_b, d.astype(float))
    o_a, o_b = int(observed[in_a].sum()), int(observed[~in_a].sum())
    count = int(stratum.max()) + 1 if stratum.size else 0
    return _logrank_result(o_a, expected_a, o_b, o_a + o_b - expected_a, variance, count)
