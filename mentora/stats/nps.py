"""The Net Promoter Score of 0-10 answers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from numpy.typing import ArrayLike

from mentora.stats.common import answered, check_confidence, check_integers, z_value

# The adjusted-Wald interval's pseudo-answers: three added to n, of which 3/4 promoter and
# 3/4 detractor (and so 1.5 passive), as Lewis & Sauro give it after Rocks (2016).
ADJUSTMENT_PROMOTERS = 0.75
ADJUSTMENT_DETRACTORS = 0.75
ADJUSTMENT_TOTAL = 3.0


@dataclass(frozen=True)
class NetPromoterScore:
    """NPS on -100..100 with its interval; ``method`` says which (see :func:`nps`).

    ``standard_error`` is the one behind the interval: of the plain score for ``wald``, of
    the adjusted score for ``adjusted_wald``.
    """

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
    method: Literal["wald", "adjusted_wald"] = "wald"


def nps(
    values: ArrayLike,
    *,
    confidence: float = 0.95,
    method: Literal["wald", "adjusted_wald"] = "wald",
) -> NetPromoterScore:
    """Net Promoter Score of 0-10 answers: 100 * (share 9-10 - share 0-6).

    Both intervals treat (promoter, passive, detractor) as multinomial, with
    var(p_prom - p_det) = (p_prom + p_det - (p_prom - p_det)²) / n.

    * ``wald``: NPS ± z * 100 * sqrt(var) from the observed shares. Poor when n is small
      or the score is near ±100: all promoters (or all detractors) gives a zero-width
      interval, and at n = 5 near ±100 it misses the true score most of the time.
    * ``adjusted_wald`` (recommended): the same formula after adding 3 pseudo-answers,
      3/4 promoter, 3/4 detractor and 1.5 passive (n' = n + 3, p' = (promoters + 3/4)/n',
      d' = (detractors + 3/4)/n'), centred on 100 (p' - d'). Rocks (2016, The American
      Statistician 70(4)) found this family of adjusted-Wald intervals the best
      performing for the NPS; Lewis & Sauro (MeasuringU) give these constants. It never
      has zero width and keeps close to its nominal coverage at n = 5, also near ±100.
      The interval is stretched, if needed, to contain the score itself (which only
      happens for n <= 4 at 90 %, n = 1 at 95 %).

    Bounds are clipped to -100..100. The score itself is the plain NPS for both methods.
    ``None`` when nobody answered.
    """
    if method not in ("wald", "adjusted_wald"):
        raise ValueError("method must be 'wald' or 'adjusted_wald'")
    confidence = check_confidence(confidence)
    answers, missing = answered(values, "values")
    check_integers(answers, 0, 10, "NPS answers")
    n = int(answers.size)
    promoters = int((answers >= 9).sum())
    detractors = int((answers <= 6).sum())
    passives = n - promoters - detractors
    if n == 0:
        return NetPromoterScore(
            None, 0, missing, 0, 0, 0, None, None, None, confidence, method=method
        )
    score = 100.0 * (promoters - detractors) / n
    if method == "wald":
        total, p_prom, p_det = float(n), promoters / n, detractors / n
    else:
        total = n + ADJUSTMENT_TOTAL
        p_prom = (promoters + ADJUSTMENT_PROMOTERS) / total
        p_det = (detractors + ADJUSTMENT_DETRACTORS) / total
    net = p_prom - p_det
    se = math.sqrt(max(0.0, p_prom + p_det - net * net) / total)
    margin = z_value(confidence) * se
    low = max(-100.0, 100.0 * (net - margin))
    high = min(100.0, 100.0 * (net + margin))
    return NetPromoterScore(
        score=score,
        n=n,
        missing=missing,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        standard_error=100.0 * se,
        low=min(low, score),
        high=max(high, score),
        confidence=confidence,
        method=method,
    )
