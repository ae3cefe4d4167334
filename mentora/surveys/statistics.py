"""The statistics behind programme evaluation reports.

Pure functions on sequences or numpy arrays that return small frozen dataclasses. Each
statistic is computed here from its textbook formula; scipy is used only for distribution
functions (normal, t and chi-square tails and quantiles, log-gamma). ``docs/statistics.md``
states every convention for methodologists.

Missing answers are ``None`` or ``nan``. Where a statistic is undefined for the data (one
respondent, no variance, no events) the value is ``None`` and ``reason`` says why, so a
report can print the reason instead of a number; nothing here returns ``nan``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

__all__ = [
    "CronbachAlpha",
    "ItemDistribution",
    "LogRank",
    "NetPromoterScore",
    "PairedChange",
    "Proportion",
    "SurvivalCurve",
    "cronbach_alpha",
    "hedges_correction",
    "item_distribution",
    "kaplan_meier",
    "logrank_test",
    "nps",
    "paired_change",
    "percentile_rank",
    "response_rate",
    "share_favourable",
    "wilson_interval",
]


# --- helpers ------------------------------------------------------------------------------


def _vector(values: ArrayLike, name: str) -> np.ndarray:
    """A 1-D float array; ``None`` becomes ``nan``."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    return array


def _answered(values: ArrayLike, name: str) -> tuple[np.ndarray, int]:
    """The non-missing answers and the number of missing ones."""
    array = _vector(values, name)
    missing = np.isnan(array)
    return array[~missing], int(missing.sum())


def _check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie strictly between 0 and 1")
    return float(confidence)


def _z(confidence: float) -> float:
    """The two-sided normal critical value, e.g. 1.959964 for 95 %."""
    return float(stats.norm.isf((1.0 - confidence) / 2.0))


def _check_integers(values: np.ndarray, low: int, high: int, name: str) -> None:
    if values.size and (
        not np.all(values == np.round(values)) or values.min() < low or values.max() > high
    ):
        raise ValueError(f"{name} must be whole numbers from {low} to {high}")


# --- proportions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Proportion:
    """A share with its Wilson score interval; ``None`` throughout when ``n`` is 0."""

    successes: int
    n: int
    estimate: float | None
    low: float | None
    high: float | None
    confidence: float


def wilson_interval(
    successes: int, n: int, *, confidence: float = 0.95
) -> tuple[float | None, float | None]:
    """Wilson score interval for ``successes`` out of ``n``.

    With p = successes/n and z the two-sided normal quantile::

        centre = (p + z²/2n) / (1 + z²/n)
        half   = z / (1 + z²/n) * sqrt(p(1-p)/n + z²/4n²)

    clipped to [0, 1] and widened to contain p against rounding. Unlike the normal (Wald)
    interval it stays inside [0, 1] and does not collapse to a point at p = 0 or 1, which
    matters for the small groups of a mentoring programme.
    """
    confidence = _check_confidence(confidence)
    if n < 0 or successes < 0 or successes > n:
        raise ValueError("need 0 <= successes <= n")
    if n == 0:
        return None, None
    p = successes / n
    z = _z(confidence)
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator
    # The exact interval always contains p (and ends at 1 when p = 1, at 0 when p = 0);
    # rounding can miss by one ulp, which a report would print as 99.99999 %.
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def _proportion(successes: int, n: int, confidence: float) -> Proportion:
    low, high = wilson_interval(successes, n, confidence=confidence)
    return Proportion(
        successes=successes,
        n=n,
        estimate=successes / n if n else None,
        low=low,
        high=high,
        confidence=confidence,
    )


def share_favourable(
    values: ArrayLike, *, threshold: float = 4, confidence: float = 0.95
) -> Proportion:
    """Share of answers at or above ``threshold`` (the "top-two box" on a 1-5 scale).

    Missing answers are left out of both numerator and denominator. Interval: Wilson score.
    """
    confidence = _check_confidence(confidence)
    answers, _ = _answered(values, "values")
    return _proportion(int((answers >= threshold).sum()), int(answers.size), confidence)


def response_rate(invited: int, responded: int, *, confidence: float = 0.95) -> Proportion:
    """Responses over invitations with the Wilson score interval.

    The interval treats the invited group as a sample from the programme's possible
    participants; for a census of a fixed group read it as the uncertainty of the rate as
    a propensity, not of the count.
    """
    confidence = _check_confidence(confidence)
    if invited < 0 or responded < 0:
        raise ValueError("counts cannot be negative")
    if responded > invited:
        raise ValueError("more responses than invitations")
    return _proportion(int(responded), int(invited), confidence)


# --- one item -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemDistribution:
    """Answers to one scale item: counts and shares per scale point and summary figures.

    ``shares`` are fractions of the answered ``n`` (``None`` when nobody answered);
    ``sd`` uses ddof=1 and is ``None`` below two answers.
    """

    points: tuple[int, ...]
    counts: tuple[int, ...]
    shares: tuple[float, ...] | None
    n: int
    missing: int
    mean: float | None
    sd: float | None
    median: float | None


def item_distribution(values: ArrayLike, *, scale: tuple[int, int] = (1, 5)) -> ItemDistribution:
    """Frequency table and summary of one item on an integer scale (1-5 by default).

    Missing answers (``None``/``nan``) are counted in ``missing`` and left out of the rest.
    Answers that are not whole numbers on the scale raise ``ValueError``: a "don't know"
    code must be recoded to missing before it reaches a mean.
    """
    low, high = scale
    if low >= high:
        raise ValueError("scale must run from a lower to a higher point")
    answers, missing = _answered(values, "values")
    _check_integers(answers, low, high, "answers")
    points = tuple(range(low, high + 1))
    counts = tuple(int(c) for c in np.bincount((answers - low).astype(int), minlength=len(points)))
    n = int(answers.size)
    return ItemDistribution(
        points=points,
        counts=counts,
        shares=tuple(c / n for c in counts) if n else None,
        n=n,
        missing=missing,
        mean=float(answers.mean()) if n else None,
        sd=float(answers.std(ddof=1)) if n >= 2 else None,
        median=float(np.median(answers)) if n else None,
    )


# --- scale reliability --------------------------------------------------------------------


@dataclass(frozen=True)
class CronbachAlpha:
    """Cronbach's alpha of a scale; ``alpha`` is ``None`` with a ``reason`` when undefined."""

    alpha: float | None
    items: int
    respondents: int
    excluded: int
    reason: str | None


def cronbach_alpha(matrix: ArrayLike) -> CronbachAlpha:
    """Cronbach's alpha for a respondents x items matrix.

    ::

        alpha = k/(k-1) * (1 - sum(var(item_j)) / var(sum of items))

    with sample variances (the ddof cancels). Rows with any missing answer are dropped
    (listwise deletion), so every item variance and the total variance use the same people;
    ``excluded`` counts them. Alpha can be negative when items correlate negatively (often a
    reverse-coded item that was not recoded). ``None`` when there are fewer than two items,
    fewer than two complete respondents, or no variance in the total score (e.g. everyone
    gave the same answers).
    """
    data = np.asarray(matrix, dtype=float)
    if data.ndim != 2:
        raise ValueError("matrix must be respondents x items")
    complete = ~np.isnan(data).any(axis=1)
    data = data[complete]
    respondents, items = data.shape
    excluded = int((~complete).sum())

    def undefined(reason: str) -> CronbachAlpha:
        return CronbachAlpha(None, items, respondents, excluded, reason)

    if items < 2:
        return undefined("alpha needs at least two items")
    if respondents < 2:
        return undefined("alpha needs at least two respondents with complete answers")
    total_variance = float(data.sum(axis=1).var(ddof=1))
    # An exact zero only when every respondent has the same total; relative tolerance guards
    # against rounding in the variance of identical large sums.
    scale = float(np.abs(data).sum(axis=1).max()) or 1.0
    if total_variance <= (scale * 1e-12) ** 2:
        return undefined("the total score does not vary between respondents")
    item_variance = float(data.var(axis=0, ddof=1).sum())
    alpha = items / (items - 1) * (1.0 - item_variance / total_variance)
    return CronbachAlpha(alpha, items, respondents, excluded, None)


# --- start and end waves ------------------------------------------------------------------


@dataclass(frozen=True)
class PairedChange:
    """Change between two waves of the same people (``after - before``).

    ``t``/``p_value``/interval are ``None`` with ``reason`` when undefined; see
    :func:`paired_change` for the conventions.
    """

    n_pairs: int
    excluded: int
    mean_before: float | None
    mean_after: float | None
    mean_difference: float | None
    sd_difference: float | None
    standard_error: float | None
    t: float | None
    df: int | None
    p_value: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    cohens_dz: float | None
    hedges_gz: float | None
    wilcoxon_statistic: float | None
    wilcoxon_p_value: float | None
    wilcoxon_method: Literal["exact", "normal"] | None
    reason: str | None


def hedges_correction(df: int) -> float:
    """Exact small-sample correction J(df) = Γ(df/2) / (sqrt(df/2) Γ((df-1)/2)).

    ≈ 1 - 3/(4 df - 1); J(1) = 0, so with two pairs g is 0 and carries no information.
    """
    if df < 1:
        raise ValueError("df must be at least 1")
    return float(
        np.exp(special.gammaln(df / 2) - 0.5 * np.log(df / 2) - special.gammaln((df - 1) / 2))
    )


def _signed_rank(differences: np.ndarray) -> tuple[float, float, float, Literal["exact", "normal"]]:
    """Wilcoxon signed-rank: (W+, W-, two-sided p, method) for the non-zero differences.

    Zero differences are dropped (Wilcoxon's convention) and tied |differences| share their
    mean rank. The p value comes from the exact sign-flip distribution of W+ given the
    observed ranks when there are at most 13 pairs, or at most 50 pairs with neither ties
    nor zeros; otherwise from the normal approximation with the tie-corrected variance
    n(n+1)(2n+1)/24 - sum(t³-t)/48 and no continuity correction.
    """
    total = differences.size
    nonzero = differences[differences != 0]
    m = nonzero.size
    if m == 0:
        return 0.0, 0.0, 1.0, "exact"
    magnitudes = np.abs(nonzero)
    order = np.argsort(magnitudes, kind="stable")
    sorted_magnitudes = magnitudes[order]
    # Mean ranks for ties: each run of equal magnitudes gets the average of its positions.
    _, first, run_lengths = np.unique(sorted_magnitudes, return_index=True, return_counts=True)
    run_ranks = first + (run_lengths + 1) / 2.0
    ranks = np.empty(m)
    ranks[order] = np.repeat(run_ranks, run_lengths)
    w_plus = float(ranks[nonzero > 0].sum())
    w_minus = float(ranks[nonzero < 0].sum())
    has_ties = bool((run_lengths > 1).any())
    has_zeros = m < total
    if total <= 13 or (total <= 50 and not has_ties and not has_zeros):
        # Ranks are multiples of 1/2, so twice the ranks are integers and the distribution
        # of 2*W+ under random signs is a subset-sum count.
        doubled = np.rint(2 * ranks).astype(np.int64)
        ways = np.zeros(int(doubled.sum()) + 1)
        ways[0] = 1.0
        for r in doubled:
            ways[r:] = ways[r:] + ways[:-r].copy()
        ways /= 2.0**m
        observed = int(round(2 * w_plus))
        p = 2.0 * min(float(ways[observed:].sum()), float(ways[: observed + 1].sum()))
        return w_plus, w_minus, min(1.0, p), "exact"
    mean = m * (m + 1) / 4.0
    variance = (m * (m + 1) * (2 * m + 1) - float((run_lengths**3 - run_lengths).sum()) / 2) / 24
    z = (w_plus - mean) / math.sqrt(variance)
    return w_plus, w_minus, float(2.0 * stats.norm.sf(abs(z))), "normal"


def paired_change(before: ArrayLike, after: ArrayLike, *, confidence: float = 0.95) -> PairedChange:
    """Paired t-test, effect size and signed-rank test on matched start/end answers.

    Pairs with a missing value in either wave are dropped (``excluded``). With differences
    d = after - before, n pairs, mean d̄ and sample sd s::

        t = d̄ / (s / sqrt(n)),  df = n - 1,  p = 2 * P(T_df > |t|)
        CI = d̄ ± t_{df, 1-α/2} * s / sqrt(n)
        d_z = d̄ / s,  g_z = J(df) * d_z   (Hedges' exact correction, see hedges_correction)

    ``wilcoxon_statistic`` is min(W+, W-) as conventionally tabulated.

    Conventions for degenerate data:

    * fewer than two pairs: no sd, so t, p, interval and effect sizes are ``None``;
    * every difference zero: nobody changed; t and effect sizes are ``None`` (0/0), p is
      1.0 and the interval is [0, 0];
    * every difference the same non-zero value: t is infinite; t, p and effect sizes are
      ``None`` with the reason, the interval is the single value.
    """
    confidence = _check_confidence(confidence)
    first = _vector(before, "before")
    second = _vector(after, "after")
    if first.size != second.size:
        raise ValueError("before and after must hold the same people in the same order")
    keep = ~(np.isnan(first) | np.isnan(second))
    first, second = first[keep], second[keep]
    n = int(first.size)
    excluded = int((~keep).sum())
    differences = second - first
    w_plus, w_minus, w_p, w_method = _signed_rank(differences) if n else (0.0, 0.0, None, None)
    # Fields that exist whatever the data; the test statistics are filled in below.
    base = PairedChange(
        n_pairs=n,
        excluded=excluded,
        mean_before=float(first.mean()) if n else None,
        mean_after=float(second.mean()) if n else None,
        mean_difference=float(differences.mean()) if n else None,
        sd_difference=None,
        standard_error=None,
        t=None,
        df=None,
        p_value=None,
        ci_low=None,
        ci_high=None,
        confidence=confidence,
        cohens_dz=None,
        hedges_gz=None,
        wilcoxon_statistic=float(min(w_plus, w_minus)) if n else None,
        wilcoxon_p_value=w_p,
        wilcoxon_method=w_method,
        reason="a paired test needs at least two pairs",
    )
    if n < 2:
        return base
    df = n - 1
    mean = float(differences.mean())
    sd = float(differences.std(ddof=1))
    se = sd / math.sqrt(n)
    if np.all(differences == differences[0]):
        # Constant differences: sd is 0 (rounding may leave ~1e-17), so t is 0/0 or ±inf.
        value = float(differences[0])
        if value == 0:
            return replace(
                base,
                sd_difference=0.0,
                standard_error=0.0,
                df=df,
                p_value=1.0,
                ci_low=0.0,
                ci_high=0.0,
                reason="no pair changed, so t and the effect size are undefined",
            )
        return replace(
            base,
            sd_difference=0.0,
            standard_error=0.0,
            df=df,
            ci_low=value,
            ci_high=value,
            reason="every pair changed by the same amount, so t is infinite",
        )
    t = mean / se
    margin = float(stats.t.isf((1.0 - confidence) / 2.0, df)) * se
    dz = mean / sd
    return replace(
        base,
        sd_difference=sd,
        standard_error=se,
        t=t,
        df=df,
        p_value=float(2.0 * stats.t.sf(abs(t), df)),
        ci_low=mean - margin,
        ci_high=mean + margin,
        cohens_dz=dz,
        hedges_gz=hedges_correction(df) * dz,
        reason=None,
    )


# --- net promoter score -------------------------------------------------------------------


@dataclass(frozen=True)
class NetPromoterScore:
    """NPS on -100..100 with its normal-approximation interval (clipped to -100..100)."""

    score: float | None
    n: int
    missing: int
    promoters: int
    passives: int
    detractors: int
    standard_error: float | None
    low: float | None
    high: float | None
    confidence: float


def nps(values: ArrayLike, *, confidence: float = 0.95) -> NetPromoterScore:
    """Net Promoter Score of 0-10 answers: 100 * (share 9-10 - share 0-6).

    The interval treats (promoter, passive, detractor) as multinomial::

        var(p_prom - p_det) = (p_prom + p_det - (p_prom - p_det)²) / n
        NPS ± z * 100 * sqrt(var)

    a normal approximation, poor when n is small or the score is near ±100; the bounds are
    clipped to -100..100. All promoters (or all detractors) gives a zero-width interval.
    ``None`` when nobody answered.
    """
    confidence = _check_confidence(confidence)
    answers, missing = _answered(values, "values")
    _check_integers(answers, 0, 10, "NPS answers")
    n = int(answers.size)
    promoters = int((answers >= 9).sum())
    detractors = int((answers <= 6).sum())
    passives = n - promoters - detractors
    if n == 0:
        return NetPromoterScore(None, 0, missing, 0, 0, 0, None, None, None, confidence)
    p_prom, p_det = promoters / n, detractors / n
    net = p_prom - p_det
    se = math.sqrt(max(0.0, p_prom + p_det - net * net) / n)
    margin = _z(confidence) * se
    return NetPromoterScore(
        score=100.0 * net,
        n=n,
        missing=missing,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        standard_error=100.0 * se,
        low=max(-100.0, 100.0 * (net - margin)),
        high=min(100.0, 100.0 * (net + margin)),
        confidence=confidence,
    )


# --- retention ----------------------------------------------------------------------------


def _survival_data(durations: ArrayLike, events: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    times = _vector(durations, "durations")
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


@dataclass(frozen=True)
class SurvivalCurve:
    """Kaplan-Meier estimate at each time of ``times``.

    ``at_risk`` counts people with duration >= t; ``events``/``censored`` count durations
    exactly at t; ``variance`` is Greenwood's variance of S(t); ``median`` is the first event
    time with S <= 0.5 (``None`` when the curve never gets there).
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
    confidence = _check_confidence(confidence)
    times, observed = _survival_data(durations, events)
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

    below_half = np.flatnonzero(survival <= 0.5)
    median = float(steps[below_half[0]]) if below_half.size else None

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

    z = _z(confidence)
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
    """Two-group log-rank test (1 degree of freedom)."""

    statistic: float
    p_value: float
    df: int
    observed_a: int
    expected_a: float
    observed_b: int
    expected_b: float
    variance: float
    reason: str | None


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
    times_a, observed_a = _survival_data(durations_a, events_a)
    times_b, observed_b = _survival_data(durations_b, events_b)
    event_times = np.unique(np.concatenate((times_a[observed_a], times_b[observed_b])))
    sorted_a, sorted_b = np.sort(times_a), np.sort(times_b)
    n_a = (times_a.size - np.searchsorted(sorted_a, event_times, side="left")).astype(float)
    n_b = (times_b.size - np.searchsorted(sorted_b, event_times, side="left")).astype(float)
    d_a = _events_at(event_times, times_a[observed_a])
    d_b = _events_at(event_times, times_b[observed_b])
    n = n_a + n_b
    d = d_a + d_b
    expected_a = float((d * n_a / n).sum()) if event_times.size else 0.0
    denominator = n * n * (n - 1)
    variance = float(
        np.divide(
            d * (n - d) * n_a * n_b,
            denominator,
            out=np.zeros(event_times.size),
            where=denominator > 0,
        ).sum()
    )
    o_a, o_b = int(observed_a.sum()), int(observed_b.sum())
    expected_b = float(d.sum()) - expected_a
    if variance <= 0:
        reason = (
            "no leavers in either group"
            if event_times.size == 0
            else "leavers only while one group was at risk"
        )
        return LogRank(0.0, 1.0, 1, o_a, expected_a, o_b, expected_b, 0.0, reason)
    statistic = (o_a - expected_a) ** 2 / variance
    return LogRank(
        statistic=statistic,
        p_value=float(stats.chi2.sf(statistic, 1)),
        df=1,
        observed_a=o_a,
        expected_a=expected_a,
        observed_b=o_b,
        expected_b=expected_b,
        variance=variance,
        reason=None,
    )


# --- benchmarking -------------------------------------------------------------------------


def percentile_rank(
    value: float,
    population: ArrayLike,
    *,
    kind: Literal["mean", "weak", "strict", "rank"] = "mean",
) -> float | None:
    """Percentile (0-100) of a programme's ``value`` among other programmes' values.

    With L = #population < value, W = #population <= value and N = len(population):

    * ``strict``: 100 L / N - share strictly below;
    * ``weak``: 100 W / N - share at or below;
    * ``mean`` (default): 50 (L + W) / N - ties count half, so a programme equal to
      every other one sits at 50;
    * ``rank``: 50 (L + W + [W > L]) / N - the average rank of the value had it been one
      of the population.

    The population should not contain the programme itself. Missing values in the
    population are ignored; ``None`` when no other programme has a value.
    """
    if value is None or math.isnan(value):
        raise ValueError("value is missing")
    others, _ = _answered(population, "population")
    n = others.size
    if n == 0:
        return None
    below = int((others < value).sum())
    at_or_below = int((others <= value).sum())
    if kind == "strict":
        return 100.0 * below / n
    if kind == "weak":
        return 100.0 * at_or_below / n
    if kind == "mean":
        return 50.0 * (below + at_or_below) / n
    if kind == "rank":
        return 50.0 * (below + at_or_below + (1 if at_or_below > below else 0)) / n
    raise ValueError("kind must be 'mean', 'weak', 'strict' or 'rank'")
