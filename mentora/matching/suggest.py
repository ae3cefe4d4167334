"""Suggestion lists: the top N feasible mentors per mentee, spread across mentors.

Popular mentors would otherwise top every list. Mentees with the fewest options choose
first; each earlier appearance of a mentor costs ``suggest_penalty`` points per place of
capacity, and a mentor appears on at most ``suggest_max_share`` times their fair share of
lists (fair share = suggestions x mentees x capacity / total capacity), unless a mentee
would otherwise get fewer than N suggestions.
"""

from __future__ import annotations

import numpy as np

from mentora.matching.candidates import CandidateGraph


def spread(
    graph: CandidateGraph,
    capacity: np.ndarray,
    *,
    suggestions: int,
    max_share: float,
    penalty: float,
) -> dict[int, list[int]]:
    """Mentee index -> chosen arc indices (best first)."""
    if len(graph) == 0:
        return {}
    starts = np.flatnonzero(np.r_[True, graph.mentee[1:] != graph.mentee[:-1]])
    ends = np.r_[starts[1:], len(graph)]
    sizes = ends - starts
    total_cap = max(int(capacity.sum()), 1)
    slots = suggestions * starts.size
    cap = np.maximum(1, np.ceil(max_share * slots * capacity / total_cap)).astype(np.int64)
    seen = np.zeros(graph.n_mentors, dtype=np.int64)
    out: dict[int, list[int]] = {}
    for k in np.lexsort((graph.mentee[starts], sizes)).tolist():
        lo, hi = int(starts[k]), int(ends[k])
        mentors = graph.mentor[lo:hi]
        adjusted = graph.score[lo:hi] - penalty * seen[mentors] / np.maximum(capacity[mentors], 1)
        open_ = seen[mentors] < cap[mentors]
        # Open mentors first, then by adjusted score, then by original order (deterministic).
        order = np.lexsort((np.arange(hi - lo), -adjusted, ~open_))
        pick = order[: min(suggestions, hi - lo)]
        pick = pick[np.lexsort((pick, -graph.score[lo:hi][pick]))]
        chosen = (lo + pick).tolist()
        seen[graph.mentor[chosen]] += 1
        out[int(graph.mentee[lo])] = chosen
    return out
