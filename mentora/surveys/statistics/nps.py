"""The Net Promoter Score of 0-10 answers."""

from __future__ import annotations

import math
from dataclasses import dataclass

from numpy.typing import ArrayLike

from mentora.surveys.statistics.common import answered, check_confidence, check_integers, z_value


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
    confidence = check_confidence(confidence)
    answers, missing = answered(values, "values")
    check_integers(answers, 0, 10, "NPS answers")
    n = int(answers.size)
    promoters = int((answers >= 9).sum())
    detractors = int((answers <= 6).sum())
    passives = n - promoters - detractors
    if n == 0:
        return NetPromoterScore(None, 0, missing, 0, 0, 0, None, None, None, confidence)
    p_prom, p_det = promoters / n, detractors / n
    net = p_prom - p_det
    se = math.sqrt(max(0.0, p_prom + p_det - net * net) / n)
    margin = z_value(confidence) * se
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
