"""Stable mode in arrays against the first, one-proposal-at-a-time version and the
``matching`` package, on random instances."""

from __future__ import annotations

import dataclasses
import random
from unittest import mock

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from mentora.matching import (
    ExplicitPairs,
    Person,
    Policy,
    Problem,
    blocking_pairs,
    candidates,
    deferred_acceptance,
    engine,
    match,
    stable,
    why_not,
)
from mentora.matching.columns import compile_problem
from mentora.matching.pruning import other_points
from mentora.matching.stable import Entries, defer_accept
from mentora.matching.tests import reference_stable as reference
from mentora.matching.tests.factories import programme

# The reference package warns whenever it trims one-sided rankings; that is expected here.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@st.composite
def rank_lists(draw: st.DrawFn) -> tuple[dict, dict, dict]:
    """Partial, one-sided rank lists over a few people; capacities from 0 to 3."""
    mentees = [f"e{k}" for k in range(draw(st.integers(1, 12)))]
    mentors = [f"m{k}" for k in range(draw(st.integers(1, 6)))]
    mentee_prefs = {
        e: draw(st.permutations(mentors))[: draw(st.integers(0, len(mentors)))] for e in mentees
    }
    mentor_prefs = {
        m: draw(st.permutations(mentees))[: draw(st.integers(0, len(mentees)))] for m in mentors
    }
    capacities = {m: draw(st.integers(0, 3)) for m in mentors}
    return mentee_prefs, mentor_prefs, capacities


def _package(mentee_prefs: dict, mentor_prefs: dict, capacities: dict) -> dict[str, str]:
    """The mentee-optimal stable matching by the ``matching`` package."""
    # The package needs every person on some list and a capacity of at least one.
    kept = {m for m, cap in capacities.items() if cap > 0}
    residents = {e: [m for m in p if m in kept] for e, p in mentee_prefs.items()}
    hospitals = {m: list(p) for m, p in mentor_prefs.items() if m in kept}
    residents = {e: p for e, p in residents.items() if p}
    if not residents or not hospitals:
        return {}
    for m in hospitals:
        hospitals[m] = [e for e in hospitals[m] if e in residents]
    game = HospitalResident.create_from_dictionaries(
        residents, hospitals, {m: capacities[m] for m in hospitals}, clean=True
    )
    solution = game.solve(optimal="resident")
    return {r.name: h.name for h, taken in solution.items() for r in taken}


@settings(deadline=None, max_examples=60)
@given(instance=rank_lists())
def test_rank_lists_match_the_reference_and_the_matching_package(
    instance: tuple[dict, dict, dict],
) -> None:
    mentee_prefs, mentor_prefs, capacities = instance
    ours = deferred_acceptance(
        mentee_prefs=mentee_prefs, mentor_prefs=mentor_prefs, capacities=capacities
    )
    assert ours == reference.deferred_acceptance(
        mentee_prefs=mentee_prefs, mentor_prefs=mentor_prefs, capacities=capacities
    )
    assert ours == _package(mentee_prefs, mentor_prefs, capacities)
    assert (
        blocking_pairs(
            assignment=ours,
            mentee_prefs=mentee_prefs,
            mentor_prefs=mentor_prefs,
            capacities=capacities,
        )
        == []
    )


@settings(deadline=None, max_examples=60)
@given(instance=rank_lists(), seed=st.integers(0, 10_000))
def test_the_checker_finds_the_same_blocking_pairs_as_the_reference_in_any_assignment(
    instance: tuple[dict, dict, dict], seed: int
) -> None:
    mentee_prefs, mentor_prefs, capacities = instance
    rng = random.Random(seed)
    # Any assignment of mutually ranked pairs within capacities, stable or not.
    load: dict[str, int] = {}
    assignment = {}
    for e, prefs in mentee_prefs.items():
        options = [m for m in prefs if load.get(m, 0) < capacities[m] and e in mentor_prefs[m]]
        if options and rng.random() < 0.7:
            m = rng.choice(options)
            assignment[e] = m
            load[m] = load.get(m, 0) + 1
    ours = blocking_pairs(
        assignment=assignment,
        mentee_prefs=mentee_prefs,
        mentor_prefs=mentor_prefs,
        capacities=capacities,
    )
    theirs = reference.blocking_pairs(
        assignment=assignment,
        mentee_prefs=mentee_prefs,
        mentor_prefs=mentor_prefs,
        capacities=capacities,
    )
    assert ours == theirs


def test_the_checker_finds_an_unstable_pair_the_rounds_would_not_leave() -> None:
    found = blocking_pairs(
        assignment={"e2": "m1"},
        mentee_prefs={"e1": ["m1"], "e2": ["m1"]},
        mentor_prefs={"m1": ["e1", "e2"]},
        capacities={"m1": 1},
    )
    assert found == [("e1", "m1")]


def test_lists_revealed_piece_by_piece_give_the_same_matching_as_whole_lists() -> None:
    rng = np.random.default_rng(3)
    n_a, n_b = 40, 12
    rank = rng.permutation(n_a * n_b).astype(np.float64)
    whole = Entries.build(
        np.repeat(np.arange(n_a), n_b),
        np.concatenate([rng.permutation(n_b) for _ in range(n_a)]),
        np.ones(n_a * n_b, dtype=bool),
        rank,
        np.zeros(n_a * n_b, dtype=np.int64),
    )
    capacity = rng.integers(0, 4, size=n_b)
    with mock.patch.object(stable, "SEQUENTIAL_BELOW", 0):
        at_once = defer_accept(n_mentees=n_a, capacity=capacity, lists=whole)
    # The first two entries up front; the rest three at a time, only when asked.
    within = np.tile(np.arange(n_b), n_a)
    shown = np.zeros(n_a, dtype=np.int64) + 2
    asked: list[int] = []

    def more(mentees: np.ndarray, _worst: np.ndarray) -> Entries:
        asked.append(mentees.size)
        pick = np.isin(whole.mentee, mentees) & (within >= shown[whole.mentee])
        pick &= within < shown[whole.mentee] + 3
        shown[mentees] += 3
        return whole.take(np.flatnonzero(pick))

    lazily = defer_accept(
        n_mentees=n_a, capacity=capacity, lists=whole.take(np.flatnonzero(within < 2)), more=more
    )
    assert asked  # the tails were needed
    assert lazily.partner.tolist() == at_once.partner.tolist()
    assert (at_once.partner >= 0).sum() == min(n_a, int(capacity.sum()))


POLICIES = st.fixed_dictionaries(
    {
        "constraints": st.fixed_dictionaries(
            {
                "same_team": st.booleans(),
                "reporting_line": st.booleans(),
                "exclude": st.booleans(),
                "max_timezone_gap_hours": st.sampled_from([2.0, 5.0, 12.0]),
            }
        ),
        "weights": st.fixed_dictionaries(
            # Coarse weights make ties in score common.
            {"themes": st.sampled_from([0.0, 1.0, 10.0]), "goals": st.sampled_from([0.0, 2.0])}
        ),
        "matching": st.fixed_dictionaries(
            {
                "mode": st.just("stable"),
                "candidates_per_mentee": st.sampled_from([0, 1, 2, 3]),
                "min_candidates_per_mentor": st.sampled_from([0, 2]),
                # A small limit samples the candidates, so a list's first part need not
                # be the best by score.
                "exhaustive_pairs_limit": st.sampled_from([10, 50_000_000]),
                "pool_size": st.sampled_from([0, 2]),
                "seed": st.integers(0, 5),
            }
        ),
    }
)


def _both(problem: Problem, policy: Policy, sequential_below: int) -> None:
    # Rounds of simultaneous proposals (0) or one at a time once few are left.
    with mock.patch.object(stable, "SEQUENTIAL_BELOW", sequential_below):
        ours = match(problem=problem, policy=policy)
    with mock.patch.dict(engine.PAIR_MODES, {"stable": reference.match_stable}):
        theirs = match(problem=problem, policy=policy)
    assert [(m.mentee_id, m.mentor_id, m.score) for m in ours.matches] == [
        (m.mentee_id, m.mentor_id, m.score) for m in theirs.matches
    ]
    assert ours.unmatched == theirs.unmatched
    assert ours.blocking_pairs == theirs.blocking_pairs == ()


@settings(deadline=None, max_examples=80)
@given(
    seed=st.integers(0, 10_000),
    n_mentees=st.integers(1, 16),
    n_mentors=st.integers(1, 8),
    ranking_share=st.sampled_from([0.0, 0.3, 1.0]),
    policy_data=POLICIES,
    sequential_below=st.sampled_from([0, 48]),
)
# A mentee whose score for a full mentor equals the worst the mentor holds, and who wins the
# tie: the part of their list revealed later must not leave that mentor out.
@example(
    seed=3838,
    n_mentees=14,
    n_mentors=8,
    ranking_share=0.3,
    policy_data={
        "matching": {
            "pool_size": 2,
            "exhaustive_pairs_limit": 50_000_000,
            "candidates_per_mentee": 2,
            "seed": 2,
            "mode": "stable",
            "min_candidates_per_mentor": 0,
        },
        "constraints": {
            "same_team": True,
            "reporting_line": True,
            "exclude": False,
            "max_timezone_gap_hours": 5.0,
        },
        "weights": {"goals": 2.0, "themes": 0.0},
    },
    sequential_below=48,
)
def test_stable_mode_matches_the_reference_on_random_programmes(
    seed: int,
    n_mentees: int,
    n_mentors: int,
    ranking_share: float,
    policy_data: dict,
    sequential_below: int,
) -> None:
    """Capacities 0 to 3, ties in score, rules and exclusions that forbid pairs, partial
    rankings by some people and none by others, sampled candidate lists, and locks."""
    rng = random.Random(seed)
    base = programme(seed, n_mentees=n_mentees, n_mentors=n_mentors)

    def keep_ranking(person: Person) -> Person:
        if rng.random() < ranking_share:
            return person
        return dataclasses.replace(person, preferences=())

    mentees = tuple(keep_ranking(p) for p in base.mentees)
    mentors = tuple(keep_ranking(p) for p in base.mentors)
    policy = Policy.from_dict(policy_data)
    locks = ()
    if mentors[0].capacity and rng.random() < 0.3:
        probe = Problem(mentees, mentors, base.people, base.competitors)
        answer = why_not(
            problem=probe, policy=policy, mentee_id=mentees[0].id, mentor_id=mentors[0].id
        )
        if answer.feasible:
            locks = ((mentees[0].id, mentors[0].id),)
    problem = Problem(mentees, mentors, base.people, base.competitors, locks)
    _both(problem, policy, sequential_below)


@settings(deadline=None, max_examples=60)
@given(
    seed=st.integers(0, 10_000),
    n_mentees=st.integers(1, 14),
    n_mentors=st.integers(1, 7),
    density=st.sampled_from([0.3, 0.7, 1.0]),
    sequential_below=st.sampled_from([0, 48]),
)
def test_stable_mode_matches_the_reference_on_given_pair_scores_with_ties(
    seed: int, n_mentees: int, n_mentors: int, density: float, sequential_below: int
) -> None:
    rng = random.Random(seed)
    pairs = [
        (i, j, float(rng.randint(0, 3)))
        for i in range(n_mentees)
        for j in range(n_mentors)
        if rng.random() < density
    ]
    problem = Problem(
        mentees=tuple(Person(id=f"e{i}") for i in range(n_mentees)),
        mentors=tuple(Person(id=f"m{j}", capacity=rng.randint(0, 3)) for j in range(n_mentors)),
        pairs=ExplicitPairs(
            np.array([p[0] for p in pairs], dtype=np.int64),
            np.array([p[1] for p in pairs], dtype=np.int64),
            np.array([p[2] for p in pairs], dtype=np.float64),
        ),
    )
    _both(problem, Policy.from_dict({"matching": {"mode": "stable"}}), sequential_below)


@settings(deadline=None, max_examples=60)
@given(
    seed=st.integers(0, 10_000),
    n_mentees=st.integers(1, 20),
    n_mentors=st.integers(1, 200),
    limit=st.integers(1, 8),
    depth=st.integers(0, 6),
    weights=st.sampled_from(
        [{}, {"themes": 4.0}, {"themes": 30.0, "progression": 0.0}, {"goals": 5.0}]
    ),
)
def test_the_next_mentors_found_level_by_level_are_those_of_scoring_every_mentor(
    seed: int, n_mentees: int, n_mentors: int, limit: int, depth: int, weights: dict
) -> None:
    """The scan that scores mentors by shared themes, most first, and stops where lower
    levels cannot reach, against the reference's scan of every pair: the same columns and
    scores in the same order, after a part of each list was handed out and with some
    columns left out."""
    rng = random.Random(seed)
    base = programme(seed, n_mentees=n_mentees, n_mentors=n_mentors, preferences=False)
    problem = Problem(base.mentees, base.mentors, base.people, base.competitors)
    policy = Policy.from_dict({"weights": weights, "constraints": {"same_team": True}})
    compiled = compile_problem(problem)
    rows = np.arange(len(problem.mentees))
    cols = np.arange(len(problem.mentors))
    skip = [
        np.array(
            sorted(rng.sample(range(cols.size), rng.randint(0, min(2, cols.size)))), dtype=np.int64
        )
        for _ in rows
    ]
    handed = reference.next_best(compiled, policy, rows, cols, [None] * rows.size, skip, depth)
    after = [(float(s[-1]), int(j[-1])) if j.size else None for j, s in handed]
    expected = reference.next_best(compiled, policy, rows, cols, after, skip, limit)
    with mock.patch.object(candidates, "PRUNE_LIMIT", 10**6):
        found = candidates.next_best(compiled, policy, rows, cols, after, skip, limit)
    pruning_on = other_points(compiled, policy) is not None
    assert pruning_on or weights == {"goals": 5.0} or weights == {"themes": 4.0}
    for (j_found, s_found), (j_expected, s_expected) in zip(found, expected, strict=True):
        assert j_found.tolist() == j_expected.tolist()
        assert s_found.tolist() == s_expected.tolist()
