"""The stable mode as it was first written, one proposal at a time in plain Python: the
reference the array implementation (``mentora.matching.stable``) is held to.

Kept whole, with the engine's glue (the lists, the mentors' keys and the lazy tails) and
the row-by-row scan for the next mentors, so that a difference anywhere in the new path
shows up as a different matching."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from mentora.matching import candidates as cand
from mentora.matching.columns import Compiled
from mentora.matching.engine import _pairs_result, _Run
from mentora.matching.model import MatchResult
from mentora.matching.policy import Policy
from mentora.matching.prepare import Prepared

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


def next_best(
    c: Compiled,
    policy: Policy,
    rows: np.ndarray,
    cols: np.ndarray,
    after: Sequence[tuple[float, int] | None],
    skip: Sequence[np.ndarray],
    limit: int,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each row, its next ``limit`` feasible columns of ``cols`` (sorted) in the order
    best score first, then lowest column: those after ``after[r]`` (a score and column
    already handed out, or None), leaving out the positions in ``skip[r]``. Returns the
    columns and scores per row; scored in blocks, so many rows cost one pass each."""
    out: list[tuple[np.ndarray, np.ndarray]] = []
    chunk = max(1, cand.BLOCK_ELEMENTS // max(cols.size, 1))
    for start in range(0, rows.size, chunk):
        block = cand.score_block(c, policy, rows[start : start + chunk], cols)
        for r, score in enumerate(block, start):
            ok = np.isfinite(score)
            last = after[r]
            if last is not None:
                best, col = last
                ok &= (score < best) | ((score == best) & (cols > col))
            ok[skip[r]] = False
            idx = np.flatnonzero(ok)
            if idx.size > limit:
                # Keep every position strictly above the limit-th best score, then fill
                # from its ties in column order (positions ascend with columns).
                t = -np.partition(-score[idx], limit - 1)[limit - 1]
                above, tied = idx[score[idx] > t], idx[score[idx] == t]
                idx = np.concatenate([above, tied[: limit - above.size]])
            idx = idx[np.lexsort((idx, -score[idx]))]
            out.append((cols[idx], score[idx]))
    return out


def match_stable(run: _Run) -> MatchResult:
    """Deferred acceptance: no mentee and mentor would both rather have each other."""
    prep, remaining = run.prep, run.remaining
    lists, key, more = _stable_preferences(prep, run.graph, run.free, remaining)
    caps = {run.problem.mentors[j].id: int(remaining[j]) for j in range(len(remaining))}
    assignment, revealed = propose(lists, key, caps, more)
    blocking = tuple(unstable_pairs(assignment, revealed, key, caps))
    run.watch.lap("solve")
    run.report("solve")
    locked_i, locked_j = run.locked_pairs()
    return _pairs_result(
        run,
        np.concatenate(
            [locked_i, np.array([prep.mentee_pos[e] for e in sorted(assignment)], np.int64)]
        ),
        np.concatenate(
            [
                locked_j,
                np.array([prep.mentor_pos[assignment[e]] for e in sorted(assignment)], np.int64),
            ]
        ),
        blocking=blocking,
    )


def _stable_preferences(
    prep: Prepared, graph: cand.CandidateGraph, free: np.ndarray, remaining: np.ndarray
) -> tuple[dict[str, Choices], MentorKey, Callable[[list[str]], dict[str, Choices]] | None]:
    """Each free mentee's list, the mentors' keys and the lazy rest of the lists.

    A stated ranking is kept, restricted to feasible mentors with room. Without one, a
    mentee ranks their candidates by score and, once those are used up, every other
    feasible mentor with room by score (``more``); a mentor without one ranks every
    feasible mentee by score. So where nobody ranks, the result is stable on the whole
    feasible graph, not only on the candidate lists."""
    problem = prep.problem
    by_mentee: dict[int, Choices] = {}
    for i, j, s in zip(
        graph.mentee.tolist(), graph.mentor.tolist(), graph.score.tolist(), strict=True
    ):
        by_mentee.setdefault(i, []).append((problem.mentors[j].id, s))
    lists: dict[str, Choices] = {}
    c = prep.compiled
    k = prep.policy.matching.candidates_per_mentee
    for i in free.tolist():
        person = problem.mentees[i]
        choices = by_mentee.get(i, [])
        if person.preferences:
            score = dict(choices)
            lists[person.id] = [(m, score[m]) for m in person.preferences if m in score]
        elif k and c is not None:
            # The best k by score: arcs added so that no mentor is isolated may score
            # lower than mentors left out, who come back in score order through ``more``.
            lists[person.id] = sorted(choices, key=lambda pair: -pair[1])[:k]
        else:
            lists[person.id] = choices
    stated = {
        p.id: {e: r for r, e in enumerate(dict.fromkeys(p.preferences))}
        for p in problem.mentors
        if p.preferences
    }

    def key(mentor: str, mentee: str, score: float) -> object:
        ranks = stated.get(mentor)
        if ranks is not None:
            return ranks.get(mentee)
        return (-score, prep.mentee_pos[mentee])

    if c is None:
        return lists, key, None  # explicit pairs: the graph holds every pair already
    open_mentors = np.flatnonzero(remaining > 0)
    # Per mentee: the last mentor handed out and how many batches so far.
    after: dict[str, tuple[float, int] | None] = {}
    batches: dict[str, int] = {}

    def more(mentees: list[str]) -> dict[str, Choices]:
        wanted = [e for e in mentees if not problem.mentees[prep.mentee_pos[e]].preferences]
        # The first part of a list is left out (above the sampling limit it need not be
        # the best by score, so the order alone would not leave it out).
        skip = [
            np.searchsorted(open_mentors, [prep.mentor_pos[m] for m, _ in lists[e]]).astype(
                np.int64
            )
            for e in wanted
        ]
        # Batches double, so a mentee far down the order needs few rounds.
        limit = max(16, k) * 2 ** min(10, max((batches.get(e, 0) for e in wanted), default=0))
        rows = np.array([prep.mentee_pos[e] for e in wanted], dtype=np.int64)
        found = next_best(
            c, prep.policy, rows, open_mentors, [after.get(e) for e in wanted], skip, limit
        )
        out: dict[str, Choices] = {}
        for e, (js, scores) in zip(wanted, found, strict=True):
            batches[e] = batches.get(e, 0) + 1
            if js.size:
                after[e] = (float(scores[-1]), int(js[-1]))
                out[e] = [
                    (problem.mentors[j].id, sc)
                    for j, sc in zip(js.tolist(), scores.tolist(), strict=True)
                ]
        return out

    return lists, key, more
