"""Change between a start and an end wave answered by the same people."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from mentora.stats.common import SMALL_SAMPLE, check_confidence, vector


@dataclass(frozen=True)
class PairedChange:
    """Change between two waves of the same people (``after - before``).

    ``t``/``p_value``/interval are ``None`` with ``reason`` when undefined; see
    :func:`paired_change` for the conventions.

    What a report needs to present it honestly: ``design`` says there is no comparison
    group (the change may come from time, the season or regression to the mean as much as
    from the programme); ``answered_before``/``answered_after``/``n_pairs`` and
    ``lost_to_follow_up`` show attrition (those who answered at the start but are not
    paired are not in the figure, and leavers often differ from stayers); ``small_sample``
    flags fewer than ``SMALL_SAMPLE`` pairs.
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
    answered_before: int = 0
    answered_after: int = 0
    lost_to_follow_up: int = 0
    small_sample: bool = True
    design: Literal["uncontrolled_pre_post"] = "uncontrolled_pre_post"


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


# Relative distance from a whole number still taken as one: far above the rounding of a
# mean (about 1e-16) or of a score stored with ten decimals, far below a real fraction.
WHOLE_TOLERANCE = 1e-9
# Differences that agree to this share of the data's magnitude differ only by rounding.
CONSTANT_TOLERANCE = 1e-12


def _whole_units(values: np.ndarray, items: int) -> np.ndarray:
    """``items`` times each score, as integers: the sums of the answers behind the means."""
    if items < 1:
        raise ValueError("items must be at least 1")
    scaled = values * items
    whole = np.rint(scaled)
    if np.any(np.abs(scaled - whole) > WHOLE_TOLERANCE * np.maximum(1.0, np.abs(scaled))):
        raise ValueError(f"the scores are not means of {items} whole-number answers")
    return whole.astype(np.int64)


def paired_change(
    before: ArrayLike,
    after: ArrayLike,
    *,
    confidence: float = 0.95,
    items: int | None = None,
) -> PairedChange:
    """Paired t-test, effect size and signed-rank test on matched start/end answers.

    Pass everyone who answered either wave, aligned by person, with ``None`` for a wave
    they did not answer: pairs with a missing value are dropped (``excluded``) and counted
    in the attrition fields (see :class:`PairedChange`). With differences
    d = after - before, n pairs, mean d̄ and sample sd s::

        t = d̄ / (s / sqrt(n)),  df = n - 1,  p = 2 * P(T_df > |t|)
        CI = d̄ ± t_{df, 1-α/2} * s / sqrt(n)
        d_z = d̄ / s,  g_z = J(df) * d_z   (Hedges' exact correction, see hedges_correction)

    ``wilcoxon_statistic`` is min(W+, W-) as conventionally tabulated.

    Scale scores are means of whole-number answers, and their float differences carry
    rounding: (s + 2)/3 - s/3 is not the same float for every s, so two people who both
    gained 2/3 would get different ranks. Pass ``items``, the scale's item count (for means
    over varying item counts, their least common multiple): the scores are then turned into
    whole-number sums (``ValueError`` if they are not means of that many whole numbers),
    and ranks, ties, zeros and the constant-difference check work on the integer
    differences; the t-test uses the same integers divided by ``items``. Without
    ``items`` the differences are ranked as floats, which is exact for whole-number
    answers and for continuous data, and differences count as constant when they agree to
    ``CONSTANT_TOLERANCE`` of the data's magnitude.

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
    answered_before = int((~np.isnan(first)).sum())
    answered_after = int((~np.isnan(second)).sum())
    keep = ~(np.isnan(first) | np.isnan(second))
    first, second = first[keep], second[keep]
    n = int(first.size)
    excluded = int((~keep).sum())
    if items is None:
        differences = second - first
        ranked = differences
        # Differences of floats of size M carry rounding of about 1e-16 M each.
        rounding = CONSTANT_TOLERANCE * max(
            1.0, float(np.abs(first).max(initial=0)), float(np.abs(second).max(initial=0))
        )
        constant = n > 0 and float(np.ptp(differences)) <= rounding
        unchanged = constant and abs(float(differences.mean())) <= rounding
    else:
        # Whole-number sums: differences, their ranks and ties in exact integers.
        first_units = _whole_units(first, items)
        second_units = _whole_units(second, items)
        ranked = second_units - first_units
        differences = ranked / items
        first, second = first_units / items, second_units / items
        constant = n > 0 and bool(np.all(ranked == ranked[0]))
        unchanged = constant and bool(ranked[0] == 0)
    w_plus, w_minus, w_p, w_method = _signed_rank(ranked) if n else (0.0, 0.0, None, None)
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
        answered_before=answered_before,
        answered_after=answered_after,
        lost_to_follow_up=answered_before - n,
        small_sample=n < SMALL_SAMPLE,
    )
    if n < 2:
        return base
    df = n - 1
    if constant:
        # Constant differences: sd is 0, so t is 0/0 or ±inf.
        if unchanged:
            return replace(
                base,
                sd_difference=0.0,
                standard_error=0.0,
                df=df,
                mean_difference=0.0,
                p_value=1.0,
                ci_low=0.0,
                ci_high=0.0,
                reason="no pair changed, so t and the effect size are undefined",
            )
        value = float(differences.mean())
        return replace(
            base,
            sd_difference=0.0,
            standard_error=0.0,
            df=df,
            ci_low=value,
            ci_high=value,
            reason="every pair changed by the same amount, so t is infinite",
        )
    mean = float(differences.mean())
    sd = float(differences.std(ddof=1))
    se = sd / math.sqrt(n)
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
