"""Item and scale means with their intervals, and the reliability of a scale of items."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from mentora.stats.common import (
    SMALL_SAMPLE,
    answered,
    check_confidence,
    check_integers,
)

# Alpha below this: the items do not hold together well enough to read their mean as one
# score (a common floor for group-level use of an attitude scale; 0.7 is usual for
# decisions about individuals, which these reports never make).
RELIABILITY_THRESHOLD = 0.6


@dataclass(frozen=True)
class MeanInterval:
    """A mean with its t-based confidence interval; see :func:`mean_interval`."""

    n: int
    missing: int
    mean: float | None
    sd: float | None
    standard_error: float | None
    df: int | None
    low: float | None
    high: float | None
    confidence: float
    small_sample: bool
    reason: str | None


def mean_interval(values: ArrayLike, *, confidence: float = 0.95) -> MeanInterval:
    """Mean of the answered values with the t interval mean ± t_{n-1, 1-α/2} · s / sqrt(n).

    Missing values are counted in ``missing`` and left out. Below two values there is no
    sd, so the interval is ``None`` with a ``reason``; when every value is the same the
    interval has zero width (the t interval's answer, not a claim of certainty: the
    ``small_sample`` flag, n below ``SMALL_SAMPLE``, says when to read it with care).
    """
    data, missing = answered(values, "values")
    n = int(data.size)
    summary = mean_interval_from_summary(
        n,
        float(data.mean()) if n else 0.0,
        float(data.std(ddof=1)) if n > 1 else None,
        confidence=confidence,
    )
    return replace(summary, missing=missing)


def mean_interval_from_summary(
    n: int, mean: float, sd: float | None, *, confidence: float = 0.95
) -> MeanInterval:
    """The t interval of :func:`mean_interval` from a published n, mean and sd.

    For a report that keeps only the summary of the answers: the same formula,
    mean ± t_{n-1, 1-α/2} · sd / sqrt(n), and the same ``None`` with a reason below two.
    """
    confidence = check_confidence(confidence)
    if n < 2 or sd is None:
        return MeanInterval(
            n=n,
            missing=0,
            mean=mean if n else None,
            sd=None,
            standard_error=None,
            df=None,
            low=None,
            high=None,
            confidence=confidence,
            small_sample=n < SMALL_SAMPLE,
            reason="an interval needs at least two answers",
        )
    se = sd / math.sqrt(n)
    margin = float(stats.t.isf((1.0 - confidence) / 2.0, n - 1)) * se
    return MeanInterval(
        n=n,
        missing=0,
        mean=mean,
        sd=sd,
        standard_error=se,
        df=n - 1,
        low=mean - margin,
        high=mean + margin,
        confidence=confidence,
        small_sample=n < SMALL_SAMPLE,
        reason=None,
    )


def scale_mean(matrix: ArrayLike, *, confidence: float = 0.95) -> MeanInterval:
    """Mean scale score (each respondent's mean over the items) with its t interval.

    Respondents with any item missing are left out (``missing``), the same listwise rule as
    :func:`cronbach_alpha`, so a scale's mean and alpha describe the same people.
    """
    data = np.asarray(matrix, dtype=float)
    if data.ndim != 2:
        raise ValueError("matrix must be respondents x items")
    if data.shape[1] == 0:
        raise ValueError("a scale needs at least one item")
    # A row with a missing item has a nan mean, which mean_interval counts as missing.
    return mean_interval(data.mean(axis=1), confidence=confidence)


@dataclass(frozen=True)
class ItemDistribution:
    """Answers to one scale item: counts and shares per scale point and summary figures.

    ``shares`` are fractions of the answered ``n`` (``None`` when nobody answered);
    ``sd`` uses ddof=1 and is ``None`` below two answers. ``mean_low``/``mean_high`` are
    the t interval of the mean (see :func:`mean_interval`).
    """

    points: tuple[int, ...]
    counts: tuple[int, ...]
    shares: tuple[float, ...] | None
    n: int
    missing: int
    mean: float | None
    sd: float | None
    median: float | None
    mean_low: float | None = None
    mean_high: float | None = None
    confidence: float = 0.95
    small_sample: bool = True


def item_distribution(
    values: ArrayLike, *, scale: tuple[int, int] = (1, 5), confidence: float = 0.95
) -> ItemDistribution:
    """Frequency table and summary of one item on an integer scale (1-5 by default).

    Missing answers (``None``/``nan``) are counted in ``missing`` and left out of the rest.
    Answers that are not whole numbers on the scale raise ``ValueError``: a "don't know"
    code must be recoded to missing before it reaches a mean.
    """
    low, high = scale
    if low >= high:
        raise ValueError("scale must run from a lower to a higher point")
    answers, missing = answered(values, "values")
    check_integers(answers, low, high, "answers")
    points = tuple(range(low, high + 1))
    counts = tuple(int(c) for c in np.bincount((answers - low).astype(int), minlength=len(points)))
    n = int(answers.size)
    interval = mean_interval(answers, confidence=confidence)
    return ItemDistribution(
        points=points,
        counts=counts,
        shares=tuple(c / n for c in counts) if n else None,
        n=n,
        missing=missing,
        mean=interval.mean,
        sd=interval.sd,
        median=float(np.median(answers)) if n else None,
        mean_low=interval.low,
        mean_high=interval.high,
        confidence=interval.confidence,
        small_sample=interval.small_sample,
    )


# --- scale reliability --------------------------------------------------------------------


@dataclass(frozen=True)
class CronbachAlpha:
    """Cronbach's alpha of a scale; ``alpha`` is ``None`` with a ``reason`` when undefined.

    ``ci_low``/``ci_high`` are Feldt's interval (see :func:`feldt_interval`). Flags a report
    shows next to the figure: ``low_reliability`` (alpha below ``RELIABILITY_THRESHOLD``,
    negative included), ``negative`` (usually a reverse-coded item that was not recoded)
    and ``small_sample`` (fewer than ``SMALL_SAMPLE`` complete respondents).
    """

    alpha: float | None
    items: int
    respondents: int
    excluded: int
    reason: str | None
    ci_low: float | None = None
    ci_high: float | None = None
    confidence: float = 0.95
    low_reliability: bool = False
    negative: bool = False
    small_sample: bool = False


def feldt_interval(
    alpha: float, *, respondents: int, items: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Feldt's confidence interval for Cronbach's alpha.

    Under parallel, normally distributed items (1 - alpha_pop) / (1 - alpha) follows an F
    distribution with n - 1 and (n - 1)(k - 1) degrees of freedom (Feldt, 1965; Feldt,
    Woodruff & Salih, 1987, formulas 6 and 7), so::

        low  = 1 - (1 - alpha) * F_{1-γ/2}(n - 1, (n - 1)(k - 1))
        high = 1 - (1 - alpha) * F_{γ/2}(n - 1, (n - 1)(k - 1))

    with γ = 1 - confidence. The interval is not symmetric about alpha and is wide for a
    handful of respondents, which is the point of showing it.
    """
    confidence = check_confidence(confidence)
    if respondents < 2 or items < 2:
        raise ValueError("an interval for alpha needs at least two respondents and two items")
    df_people = respondents - 1
    df_error = df_people * (items - 1)
    tail = (1.0 - confidence) / 2.0
    upper_quantile = float(stats.f.isf(tail, df_people, df_error))
    lower_quantile = float(stats.f.ppf(tail, df_people, df_error))
    return 1.0 - (1.0 - alpha) * upper_quantile, 1.0 - (1.0 - alpha) * lower_quantile


def cronbach_alpha(matrix: ArrayLike, *, confidence: float = 0.95) -> CronbachAlpha:
    """Cronbach's alpha for a respondents x items matrix.

    ::

        alpha = k/(k-1) * (1 - sum(var(item_j)) / var(sum of items))

    with sample variances (the ddof cancels). Rows with any missing answer are dropped
    (listwise deletion), so every item variance and the total variance use the same people;
    ``excluded`` counts them. Alpha can be negative when items correlate negatively (often a
    reverse-coded item that was not recoded). ``None`` when there are fewer than two items,
    fewer than two complete respondents, or no variance in the total score (e.g. everyone
    gave the same answers). The interval is Feldt's (:func:`feldt_interval`).
    """
    confidence = check_confidence(confidence)
    data = np.asarray(matrix, dtype=float)
    if data.ndim != 2:
        raise ValueError("matrix must be respondents x items")
    complete = ~np.isnan(data).any(axis=1)
    data = data[complete]
    respondents, items = data.shape
    excluded = int((~complete).sum())

    def undefined(reason: str) -> CronbachAlpha:
        return CronbachAlpha(
            None,
            items,
            respondents,
            excluded,
            reason,
            confidence=confidence,
            small_sample=respondents < SMALL_SAMPLE,
        )

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
    low, high = feldt_interval(alpha, respondents=respondents, items=items, confidence=confidence)
    return CronbachAlpha(
        alpha,
        items,
        respondents,
        excluded,
        None,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        low_reliability=alpha < RELIABILITY_THRESHOLD,
        negative=alpha < 0,
        small_sample=respondents < SMALL_SAMPLE,
    )
