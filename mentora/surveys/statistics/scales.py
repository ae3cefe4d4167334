"""One item's answers and the reliability of a scale of items."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from mentora.surveys.statistics.common import answered, check_integers


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
    answers, missing = answered(values, "values")
    check_integers(answers, low, high, "answers")
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
