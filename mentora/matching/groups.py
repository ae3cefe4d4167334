"""Peer groups: split people into groups of a size range, as diverse as possible.

Every pair inside a group must pass the enabled hard rules (symmetrically); with
``one_per_organisation`` no two members share an organisation (action-learning groups).
A seeded greedy start (most-constrained people first) is improved by pairwise swaps and
moves that never create a conflict, so the same input and seed give the same groups.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from mentora.matching.columns import compile_problem
from mentora.matching.model import Group, Person, Problem, Unmatched
from mentora.matching.policy import Policy
from mentora.matching.rules import infeasible

_ATTRS = (
    ("different_department", "department", "departments"),
    ("different_division", "division", "divisions"),
    ("different_location", "location", "locations"),
    ("different_gender", "gender", "genders"),
)


def _matrices(
    members: Sequence[Person], policy: Policy, problem: Problem
) -> tuple[np.ndarray, np.ndarray]:
    c = compile_problem(
        Problem(
            mentees=tuple(members),
            mentors=tuple(members),
            people=problem.people,
            competitors=problem.competitors,
        )
    )
    idx = np.arange(len(members))
    a = c.mentees.view(idx, 0)
    b = c.mentors.view(idx, 1)
    constraints = policy.constraints
    if policy.groups.one_per_organisation:
        constraints = dataclasses.replace(constraints, same_organisation=True)
    excl = c.excluded.block(idx, idx, 0.0, len(members)) > 0 if len(c.excluded) else None
    bad = infeasible(c, a, b, constraints, excl)
    bad = bad | bad.T
    np.fill_diagonal(bad, False)
    value = np.zeros((len(members), len(members)))
    for weight_name, attr, _ in _ATTRS:
        w = getattr(policy.weights, weight_name)
        value += w * ((a[attr] >= 0) & (b[attr] >= 0) & (a[attr] != b[attr]))
    value += (
        (a["organisation"] >= 0)
        & (b["organisation"] >= 0)
        & (a["organisation"] != b["organisation"])
    )
    np.fill_diagonal(value, 0.0)
    return bad, value


def form_groups(
    *, members: Sequence[Person], policy: Policy, problem: Problem | None = None
) -> tuple[tuple[Group, ...], tuple[Unmatched, ...]]:
    """Groups of ``groups.min_size``..``groups.max_size`` members and who was left out."""
    problem = problem or Problem(mentees=(), mentors=())
    n = len(members)
    lo, hi = policy.groups.min_size, policy.groups.max_size
    rng = np.random.default_rng(policy.matching.seed)
    if n == 0:
        return (), ()
    bad, value = _matrices(members, policy, problem)
    n_groups = -(-n // hi)
    if n_groups * lo > n:
        n_groups = n // lo
    if n_groups == 0:
        return (), tuple(
            Unmatched(p.id, "too_few_people", f"fewer than {lo} people to group") for p in members
        )
    base, extra = divmod(min(n, n_groups * hi), n_groups)
    target = [base + (1 if g < extra else 0) for g in range(n_groups)]
    groups: list[list[int]] = [[] for _ in range(n_groups)]
    where = np.full(n, -1, dtype=np.int64)
    order = rng.permutation(n)
    order = order[np.argsort(-bad.sum(axis=1)[order], kind="stable")]

    def fits(person: int, g: int, limit: int) -> bool:
        members_g = groups[g]
        return len(members_g) < limit and not bad[person, members_g].any()

    for person in order.tolist():
        best, best_gain = -1, -np.inf
        for g in range(n_groups):
            if fits(person, g, target[g]):
                gain = float(value[person, groups[g]].sum()) - 1e-6 * len(groups[g])
                if gain > best_gain:
                    best, best_gain = g, gain
        if best >= 0:
            groups[best].append(person)
            where[person] = best
    for person in np.flatnonzero(where < 0).tolist():
        for g in range(n_groups):
            if fits(person, g, hi):
                groups[g].append(person)
                where[person] = g
                break

    # Swaps between groups that raise diversity and keep every group conflict-free.
    for _ in range(policy.groups.iterations):
        p, q = rng.integers(0, n, size=2).tolist()
        gp, gq = int(where[p]), int(where[q])
        if gp < 0 or gq < 0 or gp == gq:
            continue
        rest_p = [x for x in groups[gp] if x != p]
        rest_q = [x for x in groups[gq] if x != q]
        if bad[q, rest_p].any() or bad[p, rest_q].any():
            continue
        gain = (
            value[q, rest_p].sum()
            + value[p, rest_q].sum()
            - value[p, rest_p].sum()
            - value[q, rest_q].sum()
        )
        if gain > 1e-9:
            groups[gp] = rest_p + [q]
            groups[gq] = rest_q + [p]
            where[p], where[q] = gq, gp

    result: list[Group] = []
    left: list[Unmatched] = []
    for group in groups:
        if len(group) < lo:
            for person in group:
                where[person] = -1
            continue
        ids = tuple(members[x].id for x in sorted(group))
        diversity = float(value[np.ix_(group, group)].sum() / 2)
        result.append(Group(len(result) + 1, ids, round(diversity, 6), _explain(members, group)))
    for person in np.flatnonzero(where < 0).tolist():
        left.append(
            Unmatched(
                members[person].id,
                "no_conflict_free_group",
                "no group with room where every member passes the hard rules",
            )
        )
    return tuple(result), tuple(left)


def _explain(members: Sequence[Person], group: list[int]) -> str:
    parts = []
    for _, attr, plural in _ATTRS + (("", "organisation", "organisations"),):
        values = {getattr(members[x], attr) for x in group} - {""}
        if len(values) > 1:
            parts.append(f"{len(values)} {plural}")
    return "mixes " + ", ".join(parts) if parts else "no diversity data"
