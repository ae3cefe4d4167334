"""Shares with their Wilson score intervals: favourable answers, response rates."""

from __future__ import annotations

import math
from dataclasses import dataclass

from numpy.typing import ArrayLike

from mentora.stats.common import answered, check_confidence, z_value


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
    confidence = check_confidence(confidence)
    if n < 0 or successes < 0 or successes > n:
        raise ValueError("need 0 <= successes <= n")
    if n == 0:
        return None, None
    p = successes / n
    z = z_value(confidence)
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
    confidence = check_confidence(confidence)
    answers, _ = answered(values, "values")
    return _proportion(int((answers >= threshold).sum()), int(answers.size), confidence)


def response_rate(invited: int, responded: int, *, confidence: float = 0.95) -> Proportion:
    """Responses over invitations with the Wilson score interval.

    The interval treats the invited group as a sample from the programme's possible
    participants; for a census of a fixed group read it as the uncertainty of the rate as
    a propensity, not of the count.
    """
    confidence = check_confidence(confidence)
    if invited < 0 or responded < 0:
        raise ValueError("counts cannot be negative")
    if responded > invited:
        raise ValueError("more responses than invitations")
    return _proportion(int(responded), int(invited), confidence)
