"""Stable matching with capacities: mentee-proposing deferred acceptance, and a checker.

The result is the mentee-optimal stable matching (hospitals/residents with mentees as
residents). Only mutually acceptable pairs count: a mentor who did not rank a mentee (or a
mentee who did not rank a mentor) never forms a pair or a blocking pair with them.

The core works on keys rather than rank lists, so that the engine can rank by score and
reveal a mentee's list lazily: ``more(mentees)`` hands over the next part of the lists
of the mentees who used up theirs. Deferred acceptance gives the same result in whatever order
proposals come, so revealing a list's tail only when it is reached is the same as having
had it from the start; and a mentee matched within the revealed part prefers their mentor
to everyone in the tail, so the checker needs the revealed part only.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# A mentor's key for a proposing mentee with the pair's score: smaller is better, None
# when the mentor does not accept them. Keys of one mentor must be comparable and distinct.
MentorKey = Callable[[str, str, float], Any]
# A mentee's list: mentor ids with the pair's score, best first.
Choices = list[tuple[str, float]]


class _Held:
    """A held proposal; the heap keeps the mentor's worst on top."""

    __slots__ = ("key", "mentee")

    def __init__(self, key: Any, mentee: str) -> None:
        self.key = key
        self.mentee = mentee

    def __lt__(self, other: _Held) -> bool:
        return bool(self.key > other.key)


def propose(
    lists: Mapping[str, Choices],
    key: MentorKey,
    capacities: Mapping[str, int],
    more: Callable[[list[str]], Mapping[str, Choices]] | None = None,
) -> tuple[dict[str, str], dict[str, Choices]]:
    """Mentee-proposing deferred acceptance. Returns mentee id -> mentor id for matched
    mentees, and every mentee's list as far as it was revealed.

    Mentees who reach the end of their list wait; when nobody else is left to propose,
    ``more`` is asked for the next part of all their lists at once."""
    revealed = {e: list(choices) for e, choices in lists.items()}
    next_choice = dict.fromkeys(revealed, 0)
    held: dict[str, list[_Held]] = {}
    free = sorted(revealed, reverse=True)
    waiting: list[str] = []
    while free or waiting:
        if not free:
            extra = more(sorted(waiting)) if more else {}
            waiting = []
            for e, choices in extra.items():
                if choices:
                    revealed[e].extend(choices)
                    free.append(e)
            free.sort(reverse=True)
            continue
        mentee = free.pop()
        choices = revealed[mentee]
        while True:
            if next_choice[mentee] >= len(choices):
                waiting.append(mentee)
                break
            mentor, score = choices[next_choice[mentee]]
            next_choice[mentee] += 1
            cap = capacities.get(mentor, 1)
            rank = key(mentor, mentee, score)
            if cap <= 0 or rank is None:
                continue
            heap = held.setdefault(mentor, [])
            heapq.heappush(heap, _Held(rank, mentee))
            if len(heap) > cap:
                rejected = heapq.heappop(heap).mentee
                if rejected != mentee:
                    free.append(rejected)
                    break
                continue
            break
    assignment = {h.mentee: m for m, heap in held.items() for h in heap}
    return assignment, revealed


def unstable_pairs(
    assignment: Mapping[str, str],
    lists: Mapping[str, Choices],
    key: MentorKey,
    capacities: Mapping[str, int],
) -> list[tuple[str, str]]:
    """Every acceptable pair that would both rather be together (checked afresh)."""
    taken: dict[str, list[Any]] = {}
    for e, choices in lists.items():
        m = assignment.get(e)
        if m is None:
            continue
        score = next((s for mentor, s in choices if mentor == m), 0.0)
        taken.setdefault(m, []).append(key(m, e, score))
    out: list[tuple[str, str]] = []
    for e, choices in lists.items():
        current = assignment.get(e)
        for m, score in choices:
            if m == current:
                break
            rank = key(m, e, score)
            cap = capacities.get(m, 1)
            if rank is None or cap <= 0:
                continue
            mine = taken.get(m, [])
            if len(mine) < cap or any(other > rank for other in mine):
                out.append((e, m))
    return sorted(out)


def _ranked(
    mentee_prefs: Mapping[str, Sequence[str]], mentor_prefs: Mapping[str, Sequence[str]]
) -> tuple[dict[str, Choices], MentorKey]:
    lists = {e: [(m, 0.0) for m in dict.fromkeys(prefs)] for e, prefs in mentee_prefs.items()}
    ranks = {
        m: {e: r for r, e in enumerate(dict.fromkeys(prefs))} for m, prefs in mentor_prefs.items()
    }

    def key(mentor: str, mentee: str, _score: float) -> int | None:
        return ranks.get(mentor, {}).get(mentee)

    return lists, key


def deferred_acceptance(
    *,
    mentee_prefs: Mapping[str, Sequence[str]],
    mentor_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> dict[str, str]:
    """Mentee-optimal stable matching of rank lists; mentee id -> mentor id when matched."""
    lists, key = _ranked(mentee_prefs, mentor_prefs)
    return propose(lists, key, capacities)[0]


def blocking_pairs(
    *,
    assignment: Mapping[str, str],
    mentee_prefs: Mapping[str, Sequence[str]],
    mentor_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> list[tuple[str, str]]:
    """Every mutually ranked pair that would both rather be together (checked afresh)."""
    lists, key = _ranked(mentee_prefs, mentor_prefs)
    return unstable_pairs(assignment, lists, key, capacities)
