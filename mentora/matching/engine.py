"""The matching run: locks, candidates, the chosen mode, explanations and counts."""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable

import numpy as np

from mentora.matching import candidates as cand
from mentora.matching import solve as flow
from mentora.matching.capped import solve_capped
from mentora.matching.explaining import (
    explained_matches,
    explained_suggestions,
    explained_unmatched,
    organisation_counts,
)
from mentora.matching.groups import form_groups
from mentora.matching.model import (
    MatchResult,
    Problem,
    ProblemError,
    ProgressCallback,
    Unmatched,
)
from mentora.matching.policy import Policy
from mentora.matching.prepare import Prepared, check_locks, prepare
from mentora.matching.stable import Entries, More, defer_accept, unstable
from mentora.matching.suggest import spread


class _Stopwatch:
    """Seconds spent per stage, for the report's `stage_seconds`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._clock = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + now - self._clock, 6)
        self._clock = now


@dataclasses.dataclass(eq=False)
class _Run:
    """A pair-forming run once its candidates exist: what every mode solves over."""

    prep: Prepared
    graph: cand.CandidateGraph
    locks: list[tuple[int, int]]
    remaining: np.ndarray  # places left per mentor after the locks
    locked: np.ndarray  # mentees whose pair is locked
    free: np.ndarray  # mentees left to match
    watch: _Stopwatch
    progress: ProgressCallback | None

    @property
    def problem(self) -> Problem:
        return self.prep.problem

    @property
    def policy(self) -> Policy:
        return self.prep.policy

    def locked_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.array([i for i, _ in self.locks], dtype=np.int64),
            np.array([j for _, j in self.locks], dtype=np.int64),
        )

    def report(self, stage: str) -> None:
        if self.progress:
            self.progress(stage, 1.0)


def match(
    *, problem: Problem, policy: Policy, progress: ProgressCallback | None = None
) -> MatchResult:
    """Run the policy's mode on the problem.

    Raises ProblemError for input the engine cannot honour (a reporting cycle, a lock that
    breaks a hard rule, fairness bounds no assignment meets).
    """
    policy.validate()
    watch = _Stopwatch()
    mode = policy.matching.mode
    if mode == "groups":
        return _match_groups(problem, policy, watch, progress)
    run = _candidates(problem, policy, watch, progress)
    return PAIR_MODES[mode](run)


def _match_groups(
    problem: Problem, policy: Policy, watch: _Stopwatch, progress: ProgressCallback | None
) -> MatchResult:
    members = problem.mentees or problem.mentors
    groups, left = form_groups(members=members, policy=policy, problem=problem)
    watch.lap("groups")
    if progress:
        progress("groups", 1.0)
    return MatchResult(mode="groups", groups=groups, ungrouped=left, stage_seconds=watch.seconds)


def _candidates(
    problem: Problem, policy: Policy, watch: _Stopwatch, progress: ProgressCallback | None
) -> _Run:
    """Check the locks, take their places, and build the candidate graph of the rest."""
    prep = prepare(problem, policy)
    locks = check_locks(prep)
    watch.lap("prepare")
    n_a, n_b = len(problem.mentees), len(problem.mentors)
    remaining = prep.capacity.copy()
    locked = np.zeros(n_a, dtype=bool)
    for i, j in locks:
        remaining[j] -= 1
        locked[i] = True
    free = np.flatnonzero(~locked)
    if prep.explicit is not None:
        ex = prep.explicit
        keep = ~locked[ex.rows] & (remaining[ex.cols] > 0)
        graph = cand.from_explicit(ex.rows[keep], ex.cols[keep], ex.values[keep], n_a, n_b)
        if progress:
            progress("candidates", 1.0)
    else:
        assert prep.compiled is not None
        graph = cand.generate(
            prep.compiled, policy, mentees=free, mentor_capacity=remaining, progress=progress
        )
    watch.lap("candidates")
    return _Run(prep, graph, locks, remaining, locked, free, watch, progress)


def _match_optimal(run: _Run) -> MatchResult:
    """The largest assignment of the highest total score, certified optimal."""
    bounds = _fairness(run.prep, run.locks)
    # Caps on used mentors are not a flow constraint: those runs go to CP-SAT.
    solver = (
        functools.partial(solve_capped, time_limit=run.policy.matching.cp_sat_time_limit_seconds)
        if bounds is not None and bounds.used_high
        else flow.solve_optimal
    )
    result = solver(
        run.graph,
        run.remaining,
        resolution=run.policy.matching.score_resolution,
        bounds=bounds,
        progress=run.progress,
    )
    run.watch.lap("solve")
    locked_i, locked_j = run.locked_pairs()
    return _pairs_result(
        run,
        np.concatenate([locked_i, run.graph.mentee[result.chosen]]),
        np.concatenate([locked_j, run.graph.mentor[result.chosen]]),
        certified=result.certified,
    )


def _match_stable(run: _Run) -> MatchResult:
    """Deferred acceptance: no mentee and mentor would both rather have each other."""
    prep, remaining = run.prep, run.remaining
    lists, more = _stable_preferences(prep, run.graph, run.free, remaining)
    outcome = defer_accept(
        n_mentees=len(run.problem.mentees), capacity=remaining, lists=lists, more=more
    )
    found = unstable(partner=outcome.partner, capacity=remaining, proposals=outcome.proposals)
    mentee_ids = [p.id for p in run.problem.mentees]
    mentor_ids = [p.id for p in run.problem.mentors]
    blocking = tuple(
        sorted(
            (mentee_ids[i], mentor_ids[j])
            for i, j in zip(
                outcome.proposals.mentee[found].tolist(),
                outcome.proposals.mentor[found].tolist(),
                strict=True,
            )
        )
    )
    run.watch.lap("solve")
    run.report("solve")
    locked_i, locked_j = run.locked_pairs()
    chosen = np.flatnonzero(outcome.partner >= 0)
    return _pairs_result(
        run,
        np.concatenate([locked_i, chosen]),
        np.concatenate([locked_j, outcome.partner[chosen]]),
        blocking=blocking,
    )


def _match_suggest(run: _Run) -> MatchResult:
    """A few mentors for each mentee to choose among, spread so no mentor is everyone's."""
    settings = run.policy.matching
    picked = spread(
        run.graph,
        run.remaining,
        suggestions=settings.suggestions,
        max_share=settings.suggest_max_share,
        penalty=settings.suggest_penalty,
    )
    run.watch.lap("solve")
    run.report("solve")
    suggestions = explained_suggestions(run.prep, run.graph, picked)
    # Locked mentees get their fixed pair instead of suggestions.
    locked_i, locked_j = run.locked_pairs()
    kept = explained_matches(run.prep, locked_i, locked_j, run.locked)
    run.watch.lap("explain")
    run.report("explain")
    return MatchResult(
        mode="suggest",
        matches=kept,
        unmatched=tuple(
            Unmatched(run.problem.mentees[i].id, "no_feasible_mentor", "no feasible mentor")
            for i in run.free.tolist()
            if i not in picked
        ),
        suggestions=suggestions,
        candidate_arcs=len(run.graph),
        stage_seconds=run.watch.seconds,
    )


def _pairs_result(
    run: _Run,
    ia: np.ndarray,
    jb: np.ndarray,
    *,
    certified: bool | None = None,
    blocking: tuple[tuple[str, str], ...] | None = None,
) -> MatchResult:
    """The chosen pairs explained, the mentees left out and why, and the counts."""
    order = np.argsort(ia, kind="stable")
    ia, jb = ia[order], jb[order]
    mode = run.policy.matching.mode
    matches = explained_matches(run.prep, ia, jb, run.locked)
    unmatched = explained_unmatched(run.prep, ia, jb, run.graph, mode)
    run.watch.lap("explain")
    run.report("explain")
    return MatchResult(
        mode=mode,
        matches=matches,
        unmatched=unmatched,
        objective=round(float(sum(m.score for m in matches)), 9),
        certified_optimal=certified,
        blocking_pairs=blocking,
        organisations=organisation_counts(run.problem, matches),
        candidate_arcs=len(run.graph),
        stage_seconds=run.watch.seconds,
    )


PAIR_MODES: dict[str, Callable[[_Run], MatchResult]] = {
    "optimal": _match_optimal,
    "stable": _match_stable,
    "suggest": _match_suggest,
}


def _fairness(prep: Prepared, locks: list[tuple[int, int]]) -> flow.Bounds | None:
    policy = prep.policy
    if not policy.fairness:
        return None
    if prep.compiled is None:
        raise ProblemError("fairness bounds need profiles with organisations, not a pairs file")
    c = prep.compiled
    code = {name: k for k, name in enumerate(c.org_names)}
    mentee_org = c.mentees.arrays["organisation"]
    mentor_org = c.mentors.arrays["organisation"]
    locked_mentees = np.bincount(
        [int(mentee_org[i]) + 1 for i, _ in locks], minlength=len(code) + 1
    )
    locked_load = np.bincount([int(mentor_org[j]) + 1 for _, j in locks], minlength=len(code) + 1)
    locked_mentors = sorted({j for _, j in locks})
    locked_used = np.bincount(
        [int(mentor_org[j]) + 1 for j in locked_mentors], minlength=len(code) + 1
    )
    unlocked = np.ones(len(mentor_org), dtype=bool)
    unlocked[locked_mentors] = False
    bounds = flow.Bounds(mentee_org, mentor_org, {}, {}, {}, {}, unlocked=unlocked)
    for b in policy.fairness:
        if b.organisation not in code:
            raise ProblemError(f"fairness bounds name unknown organisation {b.organisation!r}")
        k = code[b.organisation]
        for low, high, low_target, high_target, locked in (
            (b.min_mentees, b.max_mentees, bounds.mentee_low, bounds.mentee_high, locked_mentees),
            (b.min_mentor_load, b.max_mentor_load, bounds.load_low, bounds.load_high, locked_load),
            (
                b.min_mentors_used,
                b.max_mentors_used,
                bounds.used_low,
                bounds.used_high,
                locked_used,
            ),
        ):
            if low is None and high is None:
                continue
            # Locked pairs already count towards the bounds; only the rest is solved for.
            done = int(locked[k + 1])
            if high is not None and high < done:
                raise ProblemError(
                    f"fairness bounds for {b.organisation!r}: locks already exceed {high}"
                )
            low_target[k] = max(0, (low or 0) - done)
            if high is not None:
                high_target[k] = high - done
    return bounds


def _stable_preferences(
    prep: Prepared, graph: cand.CandidateGraph, free: np.ndarray, remaining: np.ndarray
) -> tuple[Entries, More | None]:
    """Each free mentee's list with the mentors' keys, and the lazy rest of the lists.

    A stated ranking is kept, restricted to feasible mentors with room. Without one, a
    mentee ranks their candidates by score and, once those are used up, every other
    feasible mentor with room by score (``more``); a mentor without one ranks every
    feasible mentee by score (ties: the mentee earlier in the input first). So where
    nobody ranks, the result is stable on the whole feasible graph, not only on the
    candidate lists."""
    problem = prep.problem
    n_a, n_b = len(problem.mentees), len(problem.mentors)
    is_free = np.zeros(n_a, dtype=bool)
    is_free[free] = True
    ranked = np.array([bool(p.preferences) for p in problem.mentees], dtype=bool)
    gi = graph.mentee.astype(np.int64)
    gj = graph.mentor.astype(np.int64)
    gs = graph.score.astype(np.float64)
    keep = is_free[gi]
    gi, gj, gs = gi[keep], gj[keep], gs[keep]
    k = prep.policy.matching.candidates_per_mentee
    c = prep.compiled
    # Mentees who rank: their stated order, among their candidates.
    parts_i: list[np.ndarray] = []
    parts_j: list[np.ndarray] = []
    parts_s: list[np.ndarray] = []
    if ranked.any():
        arc_score = dict(zip(zip(gi.tolist(), gj.tolist(), strict=True), gs.tolist(), strict=True))
        rows: list[tuple[int, int, float]] = []
        for i in np.flatnonzero(ranked & is_free).tolist():
            for m in dict.fromkeys(problem.mentees[i].preferences):
                j = prep.mentor_pos.get(m)
                if j is not None and (i, j) in arc_score:
                    rows.append((i, j, arc_score[i, j]))
        parts_i.append(np.array([r[0] for r in rows], dtype=np.int64))
        parts_j.append(np.array([r[1] for r in rows], dtype=np.int64))
        parts_s.append(np.array([r[2] for r in rows], dtype=np.float64))
    # The others: their candidates by score, best first (ties in the graph's order).
    rest = ~ranked[gi]
    ri, rj, rs = gi[rest], gj[rest], gs[rest]
    order = np.lexsort((np.arange(ri.size), -rs, ri))
    ri, rj, rs = ri[order], rj[order], rs[order]
    if k and c is not None and ri.size:
        # The best k by score: arcs added so that no mentor is isolated may score lower
        # than mentors left out, who come back in score order through ``more``.
        starts = np.searchsorted(ri, ri, side="left")
        within = np.arange(ri.size) - starts
        top = within < k
        ri, rj, rs = ri[top], rj[top], rs[top]
    parts_i.append(ri)
    parts_j.append(rj)
    parts_s.append(rs)
    li, lj, ls = np.concatenate(parts_i), np.concatenate(parts_j), np.concatenate(parts_s)
    order = np.argsort(li, kind="stable")
    li, lj, ls = li[order], lj[order], ls[order]

    # Mentors who rank: their stated order; the others rank by score.
    mentor_ranks = {
        j: {e: r for r, e in enumerate(dict.fromkeys(p.preferences))}
        for j, p in enumerate(problem.mentors)
        if p.preferences
    }
    stating = np.zeros(n_b, dtype=bool)
    stating[list(mentor_ranks)] = True
    code = np.array(
        sorted(
            j * n_a + prep.mentee_pos[e]
            for j, ranks in mentor_ranks.items()
            for e in ranks
            if e in prep.mentee_pos
        ),
        dtype=np.int64,
    )
    code_rank = np.array(
        [mentor_ranks[int(x) // n_a][problem.mentees[int(x) % n_a].id] for x in code.tolist()],
        dtype=np.float64,
    )

    def entries(i: np.ndarray, j: np.ndarray, s: np.ndarray) -> Entries:
        accepts = np.ones(i.size, dtype=bool)
        rank = -s
        tie = i.copy()
        by_rank = stating[j]
        if by_rank.any():
            wanted = j[by_rank] * n_a + i[by_rank]
            at = np.searchsorted(code, wanted)
            found = at < code.size
            found[found] = code[at[found]] == wanted[found]
            accepts[by_rank] = found
            rank[by_rank] = np.where(found, code_rank[np.minimum(at, code.size - 1)], 0.0)
            tie[by_rank] = 0
        return Entries(i, j, accepts, rank, tie)

    lists = entries(li, lj, ls)
    if c is None:
        return lists, None  # explicit pairs: the graph holds every pair already
    open_mentors = np.flatnonzero(remaining > 0)
    first_part = lists.mentor
    first_start = np.searchsorted(li, np.arange(n_a), side="left")
    first_end = np.searchsorted(li, np.arange(n_a), side="right")
    # Per mentee: the last mentor handed out (score, column) and how many batches so far.
    after_score = np.full(n_a, np.nan)
    after_col = np.full(n_a, -1, dtype=np.int64)
    batches = np.zeros(n_a, dtype=np.int64)

    def more(mentees: np.ndarray, worst: np.ndarray) -> Entries:
        # Locked mentees have their mentor; mentees who rank have nothing more to show.
        wanted = mentees[is_free[mentees] & ~ranked[mentees]]
        if wanted.size == 0:
            return Entries.empty()
        # The first part of a list is left out (above the sampling limit it need not be
        # the best by score, so the order alone would not leave it out).
        skip = [first_part[first_start[i] : first_end[i]] for i in wanted.tolist()]
        # Batches double, so a mentee far down the order needs few rounds.
        limit = max(16, k) * 2 ** min(10, int(batches[wanted].max()))
        after = [
            None if after_col[i] < 0 else (float(after_score[i]), int(after_col[i]))
            for i in wanted.tolist()
        ]
        # A full mentor who ranks by score turns down every pair scoring below the worst
        # pair they hold, and the rest of a list scores no more than its last part did.
        floor = np.where(stating, -np.inf, -worst)[open_mentors]
        found = cand.next_best(
            c, prep.policy, wanted, open_mentors, after, skip, limit, floor=floor
        )
        batches[wanted] += 1
        sizes = np.array([js.size for js, _ in found], dtype=np.int64)
        if not sizes.sum():
            return Entries.empty()
        out_j = np.concatenate([js for js, _ in found]).astype(np.int64)
        out_s = np.concatenate([sc for _, sc in found]).astype(np.float64)
        ends = np.cumsum(sizes)
        got = sizes > 0
        after_score[wanted[got]] = out_s[ends[got] - 1]
        after_col[wanted[got]] = out_j[ends[got] - 1]
        return entries(np.repeat(wanted, sizes), out_j, out_s)

    return lists, more
