"""Stable matching with capacities: mentee-proposing deferred acceptance, and a checker.

The result is the mentee-optimal stable matching (hospitals/residents with mentees as
residents). Only mutually acceptable pairs count: a mentor who did not rank a mentee (or a
mentee who did not rank a mentor) never forms a pair or a blocking pair with them.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence


def _mutual(
    mentee_prefs: Mapping[str, Sequence[str]], mentor_prefs: Mapping[str, Sequence[str]]
) -> tuple[dict[str, list[str]], dict[str, dict[str, int]]]:
    mentor_rank = {
        m: {e: r for r, e in enumerate(dict.fromkeys(prefs))} for m, prefs in mentor_prefs.items()
    }
    lists = {
        e: [m for m in dict.fromkeys(prefs) if e in mentor_rank.get(m, {})]
        for e, prefs in mentee_prefs.items()
    }
    mentee_ranked = {e: set(ms) for e, ms in lists.items()}
    mentor_rank = {
        m: {e: r for e, r in ranks.items() if m in mentee_ranked.get(e, set())}
        for m, ranks in mentor_rank.items()
    }
    return lists, mentor_rank


def deferred_acceptance(
    *,
    mentee_prefs: Mapping[str, Sequence[str]],
    mentor_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> dict[str, str]:
    """Mentee-optimal stable matching; returns mentee id -> mentor id for matched mentees."""
    lists, mentor_rank = _mutual(mentee_prefs, mentor_prefs)
    next_choice = dict.fromkeys(lists, 0)
    held: dict[str, list[tuple[int, str]]] = {m: [] for m in mentor_rank}
    free = sorted(lists, reverse=True)
    while free:
        mentee = free.pop()
        choices = lists[mentee]
        while next_choice[mentee] < len(choices):
            mentor = choices[next_choice[mentee]]
            next_choice[mentee] += 1
            cap = capacities.get(mentor, 1)
            if cap <= 0:
                continue
            heap = held[mentor]
            # Max-heap on rank (worst held on top) via negated ranks.
            heapq.heappush(heap, (-mentor_rank[mentor][mentee], mentee))
            if len(heap) > cap:
                _, rejected = heapq.heappop(heap)
                if rejected != mentee:
                    free.append(rejected)
                    break
                continue
            break
    return {e: m for m, heap in held.items() for _, e in heap}


def blocking_pairs(
    *,
    assignment: Mapping[str, str],
    mentee_prefs: Mapping[str, Sequence[str]],
    mentor_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> list[tuple[str, str]]:
    """Every mutually acceptable pair that would both rather be together (checked afresh)."""
    lists, mentor_rank = _mutual(mentee_prefs, mentor_prefs)
    load: dict[str, list[str]] = {}
    for e, m in assignment.items():
        load.setdefault(m, []).append(e)
    out: list[tuple[str, str]] = []
    for e, choices in lists.items():
        current = assignment.get(e)
        for m in choices:
            if m == current:
                break
            ranks = mentor_rank[m]
            taken = load.get(m, [])
            if len(taken) < capacities.get(m, 1):
                out.append((e, m))
            elif any(ranks.get(other, len(ranks)) > ranks[e] for other in taken):
                out.append((e, m))
    return sorted(out)
