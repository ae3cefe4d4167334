"""Change between a start and an end wave answered by the same people."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from mentora.surveys.statistics.common import check_confidence, vector


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
    confidence = check_confidence(confidence)
    first = vector(before, "before")
    second = vector(after, "after")
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
