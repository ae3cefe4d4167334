"""A run's groundwork: positions, effective capacities, compiled profiles or given pair
scores, and the locks checked against every hard rule."""

from __future__ import annotations

import dataclasses

import numpy as np

from mentora.matching.columns import Compiled, SparsePairs, compile_problem
from mentora.matching.model import (
    MAX_CAPACITY,
    LockError,
    Problem,
    ProblemError,
)
from mentora.matching.policy import Policy
from mentora.matching.rules import RuleContext, pair_broken_rules
from mentora.matching.scoring import (
    score_pairs,
)


@dataclasses.dataclass(eq=False)
class Prepared:
    problem: Problem
    policy: Policy
    compiled: Compiled | None
    explicit: SparsePairs | None
    capacity: np.ndarray  # effective capacity per mentor
    mentee_pos: dict[str, int]
    mentor_pos: dict[str, int]


def prepare(problem: Problem, policy: Policy) -> Prepared:
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
        return Prepared(problem, policy, None, explicit, capacity, mentee_pos, mentor_pos)
    compiled = compile_problem(problem, capacity_cap=cap_limit)
    return Prepared(problem, policy, compiled, None, capacity, mentee_pos, mentor_pos)


def pair_scores(prep: Prepared, ia: np.ndarray, jb: np.ndarray) -> tuple[np.ndarray, dict]:
    if prep.explicit is not None:
        return prep.explicit.lookup(ia, jb, np.nan), {}
    assert prep.compiled is not None
    return score_pairs(prep.compiled, ia, jb, prep.policy.weights, prep.policy.bands)


def check_locks(prep: Prepared) -> list[tuple[int, int]]:
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
