"""The engine against independent solvers on many random instances."""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections import Counter

import numpy as np
import pytest
from matching.games import HospitalResident
from scipy.optimize import linear_sum_assignment

from mentora.matching import (
    ExplicitPairs,
    FairnessBound,
    Person,
    Policy,
    PolicyError,
    Problem,
    ProblemError,
    blocking_pairs,
    count_violations,
    deferred_acceptance,
    match,
    why_not,
)
from mentora.matching.tests.factories import programme

# The reference package warns whenever it trims one-sided rankings; that is expected here.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _random_preferences(seed: int) -> tuple[dict, dict, dict]:
    rng = random.Random(seed)
    mentees = [f"e{k}" for k in range(rng.randint(1, 14))]
    mentors = [f"m{k}" for k in range(rng.randint(1, 7))]
    mentee_prefs = {e: rng.sample(mentors, k=rng.randint(1, len(mentors))) for e in mentees}
    mentor_prefs = {m: rng.sample(mentees, k=rng.randint(1, len(mentees))) for m in mentors}
    capacities = {m: rng.randint(1, 3) for m in mentors}
    return mentee_prefs, mentor_prefs, capacities


def _reference(mentee_prefs: dict, mentor_prefs: dict, capacities: dict) -> dict[str, str]:
    game = HospitalResident.create_from_dictionaries(
        mentee_prefs, mentor_prefs, capacities, clean=True
    )
    solution = game.solve(optimal="resident")
    return {r.name: h.name for h, residents in solution.items() for r in residents}


@pytest.mark.parametrize("seed", range(60))
def test_stable_matching_equals_the_resident_optimal_reference(seed: int) -> None:
    mentee_prefs, mentor_prefs, capacities = _random_preferences(seed)
    ours = deferred_acceptance(
        mentee_prefs=mentee_prefs, mentor_prefs=mentor_prefs, capacities=capacities
    )
    assert ours == _reference(mentee_prefs, mentor_prefs, capacities)
    assert (
        blocking_pairs(
            assignment=ours,
            mentee_prefs=mentee_prefs,
            mentor_prefs=mentor_prefs,
            capacities=capacities,
        )
        == []
    )


@pytest.mark.parametrize("seed", range(25))
def test_stable_mode_equals_the_reference_end_to_end(seed: int) -> None:
    mentee_prefs, mentor_prefs, capacities = _random_preferences(1000 + seed)
    problem = Problem(
        mentees=tuple(Person(id=e, preferences=tuple(p)) for e, p in mentee_prefs.items()),
        mentors=tuple(
            Person(id=m, preferences=tuple(p), capacity=capacities[m])
            for m, p in mentor_prefs.items()
        ),
    )
    result = match(problem=problem, policy=Policy.from_dict({"matching": {"mode": "stable"}}))
    assert {m.mentee_id: m.mentor_id for m in result.matches} == _reference(
        mentee_prefs, mentor_prefs, capacities
    )
    assert result.blocking_pairs == ()


@pytest.mark.parametrize("seed", range(15))
@pytest.mark.parametrize("k", [1, 3])
# Few mentors: lists run out. Many: arcs are added so that no mentor is isolated, and
# those may score below mentors left off a list.
@pytest.mark.parametrize(("n_mentees", "n_mentors"), [(14, 6), (8, 16)])
def test_stable_mode_without_rankings_leaves_no_blocking_pair_among_all_feasible_pairs(
    seed: int, k: int, n_mentees: int, n_mentors: int
) -> None:
    """Nobody ranks, so both sides rank by score, over every feasible pair: a mentee who
    runs out of candidates goes on down the rest. Checked afresh on the full feasible
    graph (weak stability: each side must strictly prefer by score)."""
    problem = programme(600 + seed, n_mentees=n_mentees, n_mentors=n_mentors, preferences=False)
    policy = Policy.from_dict(
        {"matching": {"mode": "stable", "candidates_per_mentee": k, "seed": seed}}
    )
    result = match(problem=problem, policy=policy)
    assert result.blocking_pairs == ()
    partner = {m.mentee_id: m.mentor_id for m in result.matches}
    score: dict[tuple[str, str], float] = {}
    for e in problem.mentees:
        for m in problem.mentors:
            answer = why_not(problem=problem, policy=policy, mentee_id=e.id, mentor_id=m.id)
            if answer.feasible and answer.score is not None:
                score[e.id, m.id] = answer.score
    held: dict[str, list[str]] = {}
    for e_id, m_id in partner.items():
        assert (e_id, m_id) in score
        held.setdefault(m_id, []).append(e_id)
    blocking = []
    for (e_id, m_id), s in score.items():
        current = partner.get(e_id)
        if current == m_id:
            continue
        if current is not None and s <= score[e_id, current] + 1e-9:
            continue
        mentor = next(p for p in problem.mentors if p.id == m_id)
        taken = held.get(m_id, [])
        if len(taken) < min(mentor.capacity or 0, policy.matching.group_size) or any(
            s > score[other, m_id] + 1e-9 for other in taken
        ):
            blocking.append((e_id, m_id))
    assert blocking == []


def test_the_blocking_pair_checker_finds_an_unstable_pair() -> None:
    prefs_a = {"e1": ["m1"], "e2": ["m1"]}
    prefs_b = {"m1": ["e1", "e2"]}
    found = blocking_pairs(
        assignment={"e2": "m1"}, mentee_prefs=prefs_a, mentor_prefs=prefs_b, capacities={"m1": 1}
    )
    assert found == [("e1", "m1")]


def _lsa_best(n_a: int, capacity: list[int], score: dict[tuple[int, int], float]) -> tuple:
    """Cardinality first, then score, by expanding mentors into slots (big-M)."""
    slots = [j for j, c in enumerate(capacity) for _ in range(c)]
    if not slots or n_a == 0:
        return 0, 0.0
    big = 1e6
    value = np.zeros((n_a, len(slots)))
    for (i, j), s in score.items():
        for k, slot in enumerate(slots):
            if slot == j:
                value[i, k] = big + s
    rows, cols = linear_sum_assignment(value, maximize=True)
    chosen = [(i, slots[k]) for i, k in zip(rows, cols, strict=True) if value[i, k] > 0]
    return len(chosen), sum(score[p] for p in chosen)


@pytest.mark.parametrize("seed", range(40))
def test_optimal_mode_equals_an_independent_exact_solver_on_explicit_pairs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_a, n_b = int(rng.integers(1, 15)), int(rng.integers(1, 8))
    mask = rng.random((n_a, n_b)) < 0.5
    i, j = np.nonzero(mask)
    s = rng.integers(-50, 50, size=i.size).astype(float)
    capacity = [int(c) for c in rng.integers(0, 3, size=n_b)]
    problem = Problem(
        mentees=tuple(Person(id=f"e{k}") for k in range(n_a)),
        mentors=tuple(Person(id=f"m{k}", capacity=capacity[k]) for k in range(n_b)),
        pairs=ExplicitPairs(i, j, s),
    )
    result = match(problem=problem, policy=Policy())
    scores = {(int(a), int(b)): float(c) for a, b, c in zip(i, j, s, strict=True)}
    count, total = _lsa_best(n_a, capacity, scores)
    assert len(result.matches) == count
    assert result.objective == total
    assert result.certified_optimal is True


@pytest.mark.parametrize("seed", range(20))
def test_optimal_mode_equals_an_independent_exact_solver_on_profiles(seed: int) -> None:
    problem = programme(seed, n_mentees=10, n_mentors=6)
    policy = Policy.from_dict(
        {"matching": {"candidates_per_mentee": 0}, "constraints": {"max_timezone_gap_hours": 5}}
    )
    result = match(problem=problem, policy=policy)
    scores: dict[tuple[int, int], float] = {}
    for a, mentee in enumerate(problem.mentees):
        for b, mentor in enumerate(problem.mentors):
            answer = why_not(
                problem=problem, policy=policy, mentee_id=mentee.id, mentor_id=mentor.id
            )
            if answer.feasible:
                assert answer.score is not None
                scores[(a, b)] = answer.score
    capacity = [min(m.capacity or 0, 5) for m in problem.mentors]
    count, total = _lsa_best(len(problem.mentees), capacity, scores)
    assert len(result.matches) == count
    # Scores are optimised in units of score_resolution; each pair may round by half a unit.
    assert abs(result.objective - total) <= count * policy.matching.score_resolution + 1e-9
    assert result.certified_optimal is True


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize(
    ("window", "window_rounds"),
    [
        (8, 3),  # the default shape: small later rounds of least reduced cost
        (1, 3),  # windows too small to hold the optimum: rounds end with arcs only joining
        (8, 0),  # no windows: every round adds the arcs that priced below zero
    ],
)
def test_pricing_reaches_the_same_optimum_as_one_solve_of_the_whole_graph(
    seed: int, window: int, window_rounds: int
) -> None:
    from mentora.matching.candidates import from_explicit
    from mentora.matching.solve import solve_optimal

    rng = np.random.default_rng(seed)
    n_a, n_b = 60, 30
    i, j = np.nonzero(rng.random((n_a, n_b)) < 0.7)
    graph = from_explicit(i, j, rng.integers(-20, 20, size=i.size).astype(float), n_a, n_b)
    capacity = rng.integers(0, 3, size=n_b)
    priced = solve_optimal(
        graph,
        capacity,
        resolution=1.0,
        first_arcs=2,
        window_per_mentee=window,
        window_rounds=window_rounds,
    )
    whole = solve_optimal(graph, capacity, resolution=1.0, first_arcs=10**6)
    assert priced.certified and whole.certified
    assert priced.cost == whole.cost
    assert priced.chosen.size == whole.chosen.size


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("quantity", ["load", "used", "mentee"])
def test_pricing_meets_lower_bounds_its_first_round_cannot(seed: int, quantity: str) -> None:
    """Each mentee's best arcs all lead to one organisation; a lower bound on the other
    forces arcs outside the first round. That round is infeasible, the whole graph is not."""
    from mentora.matching.candidates import from_explicit
    from mentora.matching.solve import Bounds, solve_optimal

    rng = np.random.default_rng(seed)
    n_a, n_b = 20, 30
    i, j = (a.ravel() for a in np.meshgrid(np.arange(n_a), np.arange(n_b), indexing="ij"))
    small = j >= 25  # mentors 25-29, organisation 1, score worst for everyone
    score = np.where(small, -50, rng.integers(0, 20, size=i.size)).astype(float)
    graph = from_explicit(i, j, score, n_a, n_b)
    capacity = np.ones(n_b, dtype=np.int64)
    mentor_org = (np.arange(n_b) >= 25).astype(np.int64)
    mentee_org = (np.arange(n_a) >= 17).astype(np.int64)
    if quantity == "mentee":
        # Mentees 17-19 (organisation 1) must be matched, and only the small mentors,
        # beyond each mentee's first arcs, are left for them once 25 places are short.
        capacity[:25] = 0
        capacity[:3] = 1
        bounds = Bounds(mentee_org, mentor_org, {1: 3}, {}, {}, {})
    elif quantity == "load":
        bounds = Bounds(mentee_org, mentor_org, {}, {}, {1: 2}, {})
    else:
        bounds = Bounds(
            mentee_org,
            mentor_org,
            {},
            {},
            {},
            {},
            used_low={1: 2},
            unlocked=np.ones(n_b, dtype=bool),
        )
    priced = solve_optimal(graph, capacity, resolution=1.0, first_arcs=2, bounds=bounds)
    whole = solve_optimal(graph, capacity, resolution=1.0, first_arcs=10**6, bounds=bounds)
    assert whole.certified and priced.certified
    assert priced.cost == whole.cost
    assert priced.chosen.size == whole.chosen.size


@pytest.mark.parametrize("seed", range(10))
def test_largest_flow_of_least_cost_reaches_the_big_m_optimum(seed: int) -> None:
    from dataclasses import replace

    from mentora.matching.candidates import from_explicit
    from mentora.matching.solve import build_network, certify, solve_network

    rng = np.random.default_rng(100 + seed)
    n_a, n_b = 40, 15
    # Sparse and short of places, so that some mentees must stay unmatched.
    i, j = np.nonzero(rng.random((n_a, n_b)) < 0.15)
    graph = from_explicit(i, j, rng.integers(-20, 20, size=i.size).astype(float), n_a, n_b)
    capacity = rng.integers(0, 3, size=n_b)
    net = build_network(graph, capacity, resolution=1.0)
    assert net.plain
    flow, cost = solve_network(net)
    big_m_flow, big_m_cost = solve_network(replace(net, plain=False))
    assert cost == big_m_cost
    assert certify(net, flow) and certify(net, big_m_flow)
    assert flow[-1] == big_m_flow[-1]  # as many mentees left unmatched


def _within(bound: FairnessBound, quantity: str, n: int) -> bool:
    low, high = getattr(bound, f"min_{quantity}"), getattr(bound, f"max_{quantity}")
    return (low is None or n >= low) and (high is None or n <= high)


def _brute_force_fair(problem: Problem, policy: Policy, scores: dict) -> tuple | None:
    """Every assignment enumerated: the most pairs, then the best score, within the
    fairness bounds and with the locks kept; None when no assignment meets them."""
    mentees, mentors = problem.mentees, problem.mentors
    capacity = [min(m.capacity or 0, 5) for m in mentors]
    locked = {a: b for a, b in problem.locks}
    options = [
        [mentors.index(next(m for m in mentors if m.id == locked[e.id]))]
        if e.id in locked
        else [None] + [b for b in range(len(mentors)) if (a, b) in scores]
        for a, e in enumerate(mentees)
    ]
    best: tuple | None = None
    for choice in itertools.product(*options):
        load = Counter(b for b in choice if b is not None)
        if any(n > capacity[b] for b, n in load.items()):
            continue
        fair = True
        for bound in policy.fairness:
            org = bound.organisation
            matched = sum(
                1 for a, b in enumerate(choice) if b is not None and mentees[a].organisation == org
            )
            mine = [b for b in load if mentors[b].organisation == org]
            fair &= _within(bound, "mentees", matched)
            fair &= _within(bound, "mentor_load", sum(load[b] for b in mine))
            fair &= _within(bound, "mentors_used", len(mine))
        if not fair:
            continue
        pairs = [(a, b) for a, b in enumerate(choice) if b is not None]
        value = (len(pairs), sum(scores[p] for p in pairs))
        if best is None or value > best:
            best = value
    return best


@pytest.mark.parametrize("seed", range(40))
def test_fairness_bounds_reach_the_optimum_of_every_assignment_enumerated(seed: int) -> None:
    rng = random.Random(seed)
    problem = programme(seed, n_mentees=rng.randint(2, 6), n_mentors=rng.randint(1, 4))
    orgs = sorted({p.organisation for p in problem.mentees + problem.mentors})
    fairness: dict[str, dict[str, int]] = {}
    for org in orgs:
        for key in rng.sample(
            [
                f"{side}_{q}"
                for side in ("min", "max")
                for q in ("mentees", "mentor_load", "mentors_used")
            ],
            k=rng.randint(0, 3),
        ):
            fairness.setdefault(org, {})[key] = rng.randint(0, 3)
    # Every third instance also locks a feasible pair; bounds count it.
    policy = Policy.from_dict(
        {"matching": {"candidates_per_mentee": 0}, "constraints": {"max_timezone_gap_hours": 5}}
    )
    scores: dict[tuple[int, int], float] = {}
    for a, mentee in enumerate(problem.mentees):
        for b, mentor in enumerate(problem.mentors):
            answer = why_not(
                problem=problem, policy=policy, mentee_id=mentee.id, mentor_id=mentor.id
            )
            if answer.feasible and min(mentor.capacity or 0, 5) > 0:
                assert answer.score is not None
                scores[(a, b)] = answer.score
    if scores and seed % 3 == 0:
        a, b = min(scores)
        problem = dataclasses.replace(
            problem, locks=((problem.mentees[a].id, problem.mentors[b].id),)
        )
    try:
        policy = Policy.from_dict({**policy.to_dict(), "fairness": fairness})
    except PolicyError:
        return  # a minimum above its maximum is refused before any run
    expected = _brute_force_fair(problem, policy, scores)
    if expected is None:
        with pytest.raises(ProblemError, match="fairness"):
            match(problem=problem, policy=policy)
        return
    result = match(problem=problem, policy=policy)
    assert len(result.matches) == expected[0]
    assert (
        abs(result.objective - expected[1]) <= expected[0] * policy.matching.score_resolution + 1e-9
    )
    assert result.certified_optimal is True
    assert count_violations(problem=problem, policy=policy, result=result) == 0
