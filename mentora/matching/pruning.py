"""The next best mentors of a mentee without scoring every mentor: themes bound the rest.

Shared themes are the heaviest criterion and the cheapest to count (a popcount of two bit
sets). Every other criterion adds between 0 and its weight, so a mentor who shares ``L`` of
a mentee's ``n`` themes scores at least ``themes * L / n`` and at most that plus the other
weights together. Mentors are scored level by level, most shared themes first, and a row
stops as soon as the ``limit``-th best score found beats everything a lower level could
reach. The scores of the pairs it does look at are the engine's own (the same arithmetic
as a block), so the answer is exactly that of scoring every pair.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from mentora.matching.columns import Compiled
from mentora.matching.policy import Policy
from mentora.matching.rules import infeasible
from mentora.matching.scoring import score_pairs


def other_points(c: Compiled, policy: Policy) -> float | None:
    """The most points a pair can score besides shared themes, where that bound prunes
    enough to be worth it; None where it does not (or a weight is negative, so a lower
    level could make up for it)."""
    w = policy.weights
    weights = {f.name: float(getattr(w, f.name)) for f in dataclasses.fields(w)}
    if weights["themes"] <= 0 or min(weights.values()) < 0:
        return None
    rest = sum(
        weights[name]
        for name in (
            "progression",
            "different_department",
            "different_division",
            "different_location",
            "different_gender",
            "timezone_band",
        )
    )
    if len(c.mentee_rank):
        rest += weights["mentee_preference"]
    if len(c.mentor_rank):
        rest += weights["mentor_preference"]
    if c.mentees.arrays["n_goals"].any() and c.mentors.arrays["n_goals"].any():
        rest += weights["goals"]
    # Where the other criteria can outweigh themes, nearly every level must be scored.
    return rest if rest <= weights["themes"] else None


def pair_scores(c: Compiled, policy: Policy, ia: np.ndarray, jb: np.ndarray) -> np.ndarray:
    """Scores of paired index arrays, ``-inf`` where a hard rule is broken: elementwise
    the same numbers as ``candidates.score_block``."""
    total, _ = score_pairs(c, ia, jb, policy.weights, policy.bands)
    a = c.mentees.view(ia, None)
    b = c.mentors.view(jb, None)
    excl = c.excluded.lookup(ia, jb, 0.0) > 0 if len(c.excluded) else None
    bad = np.broadcast_to(infeasible(c, a, b, policy.constraints, excl), ia.shape)
    total[bad] = -np.inf
    return total


def next_best_pruned(
    c: Compiled,
    policy: Policy,
    rest: float,
    rows: np.ndarray,
    cols: np.ndarray,
    best: np.ndarray,
    after_col: np.ndarray,
    skip: list[np.ndarray],
    limit: int,
    floor: np.ndarray | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each of ``rows`` (mentees), its next ``limit`` columns of ``cols`` (mentors,
    sorted) by score, then lowest column: scoring below ``best`` (or equal to it at a
    column above ``after_col``), leaving out ``skip`` and, where ``floor`` is given (per
    column of ``cols``), pairs scoring below it; ``rest`` is ``other_points``."""
    n_rows = rows.size
    themes_a = c.mentees.arrays["themes"][rows]
    themes_b = c.mentors.arrays["themes"][cols]
    shared = np.zeros((n_rows, cols.size), dtype=np.uint8)
    for word in range(themes_a.shape[1]):
        shared += np.bitwise_count(np.bitwise_and(themes_a[:, word, None], themes_b[None, :, word]))
    per_theme = policy.weights.themes / np.maximum(c.mentees.arrays["n_themes"][rows], 1.0)
    # Each pair scores at least its theme points: levels above ``best`` are handed out.
    most = c.mentees.arrays["n_themes"][rows].astype(np.int64)
    top = np.where(np.isfinite(best), np.floor(best / per_theme + 1e-9), most)
    # Rounds go one level down at a time, from the highest a row can still use.
    level = np.minimum(top, most).astype(np.int64)
    skipped = left_out_codes(skip, cols)
    kept_r = np.zeros(0, dtype=np.int64)
    kept_q = np.zeros(0, dtype=np.int64)
    kept_v = np.zeros(0)
    active = np.flatnonzero(level >= 0)
    while active.size:
        block = shared if active.size == n_rows else shared[active]
        r, q = np.nonzero(block == level[active, None].astype(np.uint8))
        r = active[r]
        if floor is not None:
            # Pairs that could not reach their mentor's floor need not be scored.
            reach_it = level[r] * per_theme[r] + rest >= floor[q] - 1e-9 * np.abs(floor[q])
            r, q = r[reach_it], q[reach_it]
        v = pair_scores(c, policy, rows[r], cols[q])
        ok = np.isfinite(v) & ((v < best[r]) | ((v == best[r]) & (cols[q] > after_col[r])))
        if floor is not None:
            ok &= v >= floor[q]
        if skipped.size:
            ok &= ~np.isin(r * cols.size + q, skipped, assume_unique=False)
        # Keep each row's best ``limit`` (score, then column): the rest can never return.
        kept_r = np.concatenate([kept_r, r[ok]])
        kept_q = np.concatenate([kept_q, q[ok]])
        kept_v = np.concatenate([kept_v, v[ok]])
        order = np.lexsort((kept_q, -kept_v, kept_r))
        kept_r, kept_q, kept_v = kept_r[order], kept_q[order], kept_v[order]
        first = np.searchsorted(kept_r, kept_r, side="left")
        within = np.arange(kept_r.size) - first
        stay = within < limit
        kept_r, kept_q, kept_v = kept_r[stay], kept_q[stay], kept_v[stay]
        # Done when a row has ``limit`` scoring above all a lower level could reach.
        count = np.bincount(kept_r, minlength=n_rows)[active]
        last = np.searchsorted(kept_r, active, side="right") - 1
        kth = np.where(count >= limit, kept_v[np.maximum(last, 0)] if kept_v.size else 0, -np.inf)
        below = level[active] - 1
        reach = below * per_theme[active] + rest
        done = (below < 0) | (kth > reach + 1e-9 * np.maximum(1.0, np.abs(reach)))
        level[active] = below
        active = active[~done]
    starts = np.searchsorted(kept_r, np.arange(n_rows + 1))
    return [
        (cols[kept_q[a:b]], kept_v[a:b])
        for a, b in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)
    ]


def left_out_codes(skip: list[np.ndarray], cols: np.ndarray) -> np.ndarray:
    """Sorted ``row * len(cols) + position`` codes of each row's left-out column ids, for a
    rows x cols block (ids not among ``cols`` are ignored)."""
    sizes = [s.size for s in skip]
    if not sum(sizes):
        return np.zeros(0, dtype=np.int64)
    ids = np.concatenate(skip).astype(np.int64)
    at = np.searchsorted(cols, ids)
    hit = at < cols.size
    hit[hit] = cols[at[hit]] == ids[hit]
    row = np.repeat(np.arange(len(skip)), sizes)
    return np.unique(row[hit] * cols.size + at[hit])
