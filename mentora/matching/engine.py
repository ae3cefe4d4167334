"""The matching run: locks, candidates, the chosen mode, explanations and counts."""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Mapping

import numpy as np

from mentora.matching import candidates as cand
from mentora.matching import solve as flow
from mentora.matching.capped import solve_capped
from mentora.matching.columns import Compiled, SparsePairs, compile_problem
from mentora.matching.groups import form_groups
from mentora.matching.model import (
    MAX_CAPACITY,
    Contribution,
    LockError,
    Match,
    MatchResult,
    Person,
    Problem,
    ProblemError,
    ProgressCallback,
    Suggestion,
    Unmatched,
    WhyNot,
)
from mentora.matching.policy import Policy
from mentora.matching.rules import RuleContext, pair_broken_rules
from mentora.matching.scoring import (
    contributions_for,
    explain,
    given_score_contribution,
    score_pairs,
)
from mentora.matching.stable import Choices, MentorKey, propose, unstable_pairs
from mentora.matching.suggest import spread


@dataclasses.dataclass(eq=False)
class _Prepared:
    problem: Problem
    policy: Policy
    compiled: Compiled | None
    explicit: SparsePairs | None
    capacity: np.ndarray  # effective capacity per mentor
    mentee_pos: dict[str, int]
    mentor_pos: dict[str, int]


def _prepare(problem: Problem, policy: Policy) -> _Prepared:
    cap_limit = policy.matching.group_size
    mentee_pos = {p.id: i for i, p in enumerate(problem.mentees)}
    mentor_pos = {p.id: j for j, p in enumerate(problem.mentors)}
    if len(mentee_pos) != len(problem.mentees) or len(mentor_pos) != len(problem.mentors):
        raise ProblemError("duplicate mentee or mentor id")
    given = [1 if p.capacity is None else p.capacity for p in problem.mentors]
    if any(c < 0 for c in given):
        raise ProblemError("negative mentor capacity")
    if any(c > MAX_CAPACITY for c in given):
        raise ProblemError(f"mentor capacity above {MAX_CAPACITY}")
    capacity = np.minimum(np.array(given, dtype=np.int64), cap_limit)
    if problem.pairs is not None:
        pr = problem.pairs
        explicit = SparsePairs(
            pr.mentee_index, pr.mentor_index, pr.score, len(problem.mentees), len(problem.mentors)
        )
        return _Prepared(problem, policy, None, explicit, capacity, mentee_pos, mentor_pos)
    compiled = compile_problem(problem, capacity_cap=cap_limit)
    return _Prepared(problem, policy, compiled, None, capacity, mentee_pos, mentor_pos)


def _pair_scores(prep: _Prepared, ia: np.ndarray, jb: np.ndarray) -> tuple[np.ndarray, dict]:
    if prep.explicit is not None:
        return prep.explicit.lookup(ia, jb, np.nan), {}
    assert prep.compiled is not None
    return score_pairs(prep.compiled, ia, jb, prep.policy.weights, prep.policy.bands)


def _check_locks(prep: _Prepared) -> list[tuple[int, int]]:
    problem, policy = prep.problem, prep.policy
    locks: list[tuple[int, int]] = []
    seen: set[str] = set()
    load = np.zeros(len(problem.mentors), dtype=np.int64)
    context = None
    for lock in problem.locks:
        mentee_id, mentor_id = lock
        if mentee_id not in prep.mentee_pos:
            raise LockError(lock, "mentee_id", f"unknown mentee {mentee_id!r}")
        if mentor_id not in prep.mentor_pos:
            raise LockError(lock, "mentor_id", f"unknown mentor {mentor_id!r}")
        if mentee_id in seen:
            raise LockError(lock, "mentee_id", f"mentee {mentee_id!r} locked twice")
        seen.add(mentee_id)
        i, j = prep.mentee_pos[mentee_id], prep.mentor_pos[mentor_id]
        if prep.explicit is not None:
            if np.isnan(prep.explicit.lookup(np.array([i]), np.array([j]), np.nan)[0]):
                raise LockError(lock, "mentor_id", "not a candidate pair")
        else:
            if context is None:
                context = RuleContext.build(
                    problem.people, problem.mentees + problem.mentors, problem.competitors
                )
            broken = pair_broken_rules(
                problem.mentees[i],
                problem.mentors[j],
                constraints=policy.constraints,
                context=context,
            )
            if broken:
                reasons = "; ".join(f"{b.rule} ({b.text})" for b in broken)
                raise LockError(lock, "mentor_id", f"breaks a hard rule: {reasons}")
        load[j] += 1
        if load[j] > prep.capacity[j]:
            raise LockError(
                lock,
                "mentor_id",
                f"mentor {mentor_id!r} has capacity {int(prep.capacity[j])} "
                f"but {int(load[j])} locked mentees",
            )
        locks.append((i, j))
    return locks


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

    prep: _Prepared
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
    prep = _prepare(problem, policy)
    locks = _check_locks(prep)
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
    bounds, mentee_org, mentor_org = _fairness(run.prep, run.locks)
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
        mentee_org=mentee_org,
        mentor_org=mentor_org,
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
    suggestions = _suggestions(run.prep, run.graph, picked)
    # Locked mentees get their fixed pair instead of suggestions.
    locked_i, locked_j = run.locked_pairs()
    kept = _matches(run.prep, locked_i, locked_j, run.graph, run.locked)
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
    matches = _matches(run.prep, ia, jb, run.graph, run.locked)
    unmatched = _unmatched(run.prep, ia, jb, run.graph, mode)
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


def _fairness(
    prep: _Prepared, locks: list[tuple[int, int]]
) -> tuple[flow.Bounds | None, np.ndarray | None, np.ndarray | None]:
    policy = prep.policy
    if not policy.fairness:
        return None, None, None
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
    bounds = flow.Bounds({}, {}, {}, {}, unlocked=unlocked)
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
    return bounds, mentee_org, mentor_org


def _stable_preferences(
    prep: _Prepared, graph: cand.CandidateGraph, free: np.ndarray, remaining: np.ndarray
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
        found = cand.next_best(
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


def _contributions(
    prep: _Prepared, ia: np.ndarray, jb: np.ndarray
) -> tuple[np.ndarray, list[tuple[Contribution, ...]]]:
    scores, values = _pair_scores(prep, ia, jb)
    problem = prep.problem
    out: list[tuple[Contribution, ...]] = []
    if prep.explicit is not None:
        rank = _rank_among_given(prep.explicit, ia, scores)
        for s, r in zip(scores.tolist(), rank, strict=True):
            out.append(given_score_contribution(s, r))
        return scores, out
    names = list(values)
    columns = [values[n].tolist() for n in names]
    for k, (i, j) in enumerate(zip(ia.tolist(), jb.tolist(), strict=True)):
        row = {n: col[k] for n, col in zip(names, columns, strict=True)}
        out.append(contributions_for(problem.mentees[i], problem.mentors[j], row))
    return scores, out


def _rank_among_given(given: SparsePairs, ia: np.ndarray, scores: np.ndarray) -> list[int]:
    """1 + how many of the mentee's given pairs score higher: their rank among all the
    mentors the input names for them, whether or not those have room left."""
    out: list[int] = []
    for i, s in zip(ia.tolist(), scores.tolist(), strict=True):
        theirs = given.values[given.indptr[i] : given.indptr[i + 1]]
        out.append(1 + int(np.count_nonzero(theirs > s)))
    return out


def _matches(
    prep: _Prepared,
    ia: np.ndarray,
    jb: np.ndarray,
    graph: cand.CandidateGraph,
    locked: np.ndarray,
) -> tuple[Match, ...]:
    scores, contributions = _contributions(prep, ia, jb)
    problem = prep.problem
    return tuple(
        Match(
            mentee_id=problem.mentees[i].id,
            mentor_id=problem.mentors[j].id,
            score=round(float(s), 9),
            contributions=contribs,
            explanation=("locked by the programme manager; " if locked[i] else "")
            + explain(contribs),
            locked=bool(locked[i]),
        )
        for i, j, s, contribs in zip(
            ia.tolist(), jb.tolist(), scores.tolist(), contributions, strict=True
        )
    )


def _unmatched(
    prep: _Prepared,
    matched: np.ndarray,
    partners: np.ndarray,
    graph: cand.CandidateGraph,
    mode: str,
) -> tuple[Unmatched, ...]:
    has_arc = np.zeros(len(prep.problem.mentees), dtype=bool)
    has_arc[graph.mentee] = True
    is_matched = np.zeros(len(prep.problem.mentees), dtype=bool)
    is_matched[matched] = True
    # A candidate with room left: only fairness bounds keep an optimal run from using it.
    room = prep.capacity > np.bincount(partners, minlength=prep.capacity.size)
    near_room = np.zeros(len(prep.problem.mentees), dtype=bool)
    if mode == "optimal" and prep.policy.fairness:
        near_room[graph.mentee[room[graph.mentor]]] = True
    out = []
    for i in np.flatnonzero(~is_matched).tolist():
        mentee_id = prep.problem.mentees[i].id
        if not has_arc[i]:
            out.append(
                Unmatched(
                    mentee_id,
                    "no_feasible_mentor",
                    "no mentor with free capacity passes the hard rules",
                )
            )
        elif mode == "stable":
            out.append(
                Unmatched(
                    mentee_id, "no_stable_partner", "no mutually ranked mentor had room for them"
                )
            )
        elif near_room[i]:
            out.append(
                Unmatched(
                    mentee_id,
                    "fairness_bounds",
                    "a feasible mentor had room, but the organisations' fairness bounds "
                    "left no place for this mentee",
                )
            )
        else:
            out.append(
                Unmatched(
                    mentee_id,
                    "capacity_exhausted",
                    "every feasible mentor's places were needed by other mentees",
                )
            )
    return tuple(out)


def _suggestions(
    prep: _Prepared, graph: cand.CandidateGraph, picked: Mapping[int, list[int]]
) -> tuple[Suggestion, ...]:
    arcs = np.array([a for i in sorted(picked) for a in picked[i]], dtype=np.int64)
    ia, jb = graph.mentee[arcs], graph.mentor[arcs]
    scores, contributions = _contributions(prep, ia, jb)
    out: list[Suggestion] = []
    rank = 0
    previous = -1
    for i, j, s, contribs in zip(
        ia.tolist(), jb.tolist(), scores.tolist(), contributions, strict=True
    ):
        rank = rank + 1 if i == previous else 1
        previous = i
        out.append(
            Suggestion(
                prep.problem.mentees[i].id,
                rank,
                prep.problem.mentors[j].id,
                round(float(s), 9),
                contribs,
                explain(contribs),
            )
        )
    return tuple(out)


def organisation_counts(problem: Problem, matches: tuple[Match, ...]) -> dict[str, dict[str, int]]:
    """Per organisation: mentees (total, matched) and mentors (total, used, load)."""
    org_of_mentee = {p.id: p.organisation for p in problem.mentees}
    org_of_mentor = {p.id: p.organisation for p in problem.mentors}
    counts: dict[str, dict[str, int]] = {}

    def row(org: str) -> dict[str, int]:
        return counts.setdefault(
            org or "(none)",
            {"mentees": 0, "mentees_matched": 0, "mentors": 0, "mentors_used": 0, "mentor_load": 0},
        )

    for p in problem.mentees:
        row(p.organisation)["mentees"] += 1
    for p in problem.mentors:
        row(p.organisation)["mentors"] += 1
    used: set[str] = set()
    for m in matches:
        row(org_of_mentee[m.mentee_id])["mentees_matched"] += 1
        row(org_of_mentor[m.mentor_id])["mentor_load"] += 1
        if m.mentor_id not in used:
            used.add(m.mentor_id)
            row(org_of_mentor[m.mentor_id])["mentors_used"] += 1
    return dict(sorted(counts.items()))


def why_not(
    *,
    problem: Problem,
    policy: Policy,
    mentee_id: str,
    mentor_id: str,
    result: MatchResult | None = None,
) -> WhyNot:
    """Which hard rules exclude the pair; if none, its score and why it was not chosen."""
    mentee = next((p for p in problem.mentees if p.id == mentee_id), None)
    mentor = next((p for p in problem.mentors if p.id == mentor_id), None)
    if mentee is None or mentor is None:
        raise ProblemError(f"unknown mentee {mentee_id!r} or mentor {mentor_id!r}")
    score: float | None
    contributions: tuple[Contribution, ...] = ()
    if problem.pairs is not None:
        pr = problem.pairs
        i, j = problem.mentees.index(mentee), problem.mentors.index(mentor)
        hit = np.flatnonzero((pr.mentee_index == i) & (pr.mentor_index == j))
        if hit.size == 0:
            return WhyNot(
                mentee_id,
                mentor_id,
                False,
                (),
                None,
                (),
                "not allowed: the pair is not in the candidate pairs",
            )
        score = float(pr.score[hit[0]])
        contributions = given_score_contribution(score, None)
        broken: tuple = ()
    else:
        context = RuleContext.build(
            problem.people, problem.mentees + problem.mentors, problem.competitors
        )
        broken = tuple(
            pair_broken_rules(mentee, mentor, constraints=policy.constraints, context=context)
        )
        if broken:
            return WhyNot(
                mentee_id,
                mentor_id,
                False,
                broken,
                None,
                (),
                "not allowed: " + "; ".join(b.text for b in broken),
            )
        score, contributions = _single_pair_score(problem, policy, mentee, mentor)
    reason = f"feasible, score {score:g}"
    if result is not None:
        partner = {m.mentee_id: m for m in result.matches}
        load = [m for m in result.matches if m.mentor_id == mentor_id]
        mine = partner.get(mentee_id)
        if mine is not None and mine.mentor_id == mentor_id:
            reason = f"they are matched (score {score:g})"
        elif mine is not None:
            reason += (
                f"; {mentee_id} was matched with {mine.mentor_id} "
                f"(score {mine.score:g}), which served the whole assignment better"
            )
        else:
            reason += f"; {mentee_id} is unmatched"
        capacity = (
            1 if mentor.capacity is None else min(mentor.capacity, policy.matching.group_size)
        )
        if len(load) >= capacity and (mine is None or mine.mentor_id != mentor_id):
            reason += f"; {mentor_id}'s places went to " + ", ".join(m.mentee_id for m in load)
    return WhyNot(mentee_id, mentor_id, True, broken, score, contributions, reason)


def _single_pair_score(
    problem: Problem, policy: Policy, mentee: Person, mentor: Person
) -> tuple[float, tuple[Contribution, ...]]:
    # Scoring needs no reporting lines; compiling just the two keeps "why not?" cheap.
    solo = Problem(
        mentees=(dataclasses.replace(mentee, manager_id=""),),
        mentors=(dataclasses.replace(mentor, manager_id=""),),
    )
    c = compile_problem(solo)
    zero = np.zeros(1, dtype=np.int64)
    scores, values = score_pairs(c, zero, zero, policy.weights, policy.bands)
    row = {k: float(v[0]) for k, v in values.items()}
    return round(float(scores[0]), 9), contributions_for(mentee, mentor, row)
