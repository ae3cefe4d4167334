"""The contributions of many pairs at once are those of each pair on its own."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mentora.matching import Policy, Problem, match
from mentora.matching.columns import compile_problem
from mentora.matching.contributions import (
    contributions_of_pairs,
    contributions_one_by_one,
    rounded,
)
from mentora.matching.model import Person
from mentora.matching.scoring import CRITERIA, contributions_for, explain, score_pairs
from mentora.matching.tests.factories import programme

WEIGHTS = st.fixed_dictionaries({name: st.sampled_from([0.0, 1.0, 2.5, 10.0]) for name in CRITERIA})

GOALS = (
    "",
    "grow as a leader",
    "learn negotiation and finance",
    "understand finance, grow as a leader in sales",
)


def _varied(problem: Problem, seed: int) -> Problem:
    """Profiles the factory never makes: whole-number, zero and unknown levels, repeated
    themes and preferences, several goals, unknown departments and time zones."""
    rng = random.Random(seed)

    def vary(p: Person) -> Person:
        return dataclasses.replace(
            p,
            level=rng.choice([p.level, p.level, 0.0, None, 3, int(p.level or 0)]),
            themes=p.themes + p.themes[:1] if rng.random() < 0.2 else p.themes,
            preferences=p.preferences + p.preferences[:1] if rng.random() < 0.2 else p.preferences,
            goals=rng.choice(GOALS),
            department=rng.choice([p.department, p.department, ""]),
            timezone=rng.choice([p.timezone, p.timezone, ""]),
        )

    return dataclasses.replace(
        problem,
        mentees=tuple(vary(p) for p in problem.mentees),
        mentors=tuple(vary(p) for p in problem.mentors),
    )


@settings(deadline=None, max_examples=60)
@given(
    seed=st.integers(0, 10_000),
    n_mentees=st.integers(1, 14),
    n_mentors=st.integers(1, 7),
    weights=WEIGHTS,
)
def test_every_pair_is_explained_as_it_is_on_its_own(
    seed: int, n_mentees: int, n_mentors: int, weights: dict
) -> None:
    problem = _varied(programme(seed, n_mentees=n_mentees, n_mentors=n_mentors), seed)
    policy = Policy.from_dict({"weights": weights})
    c = compile_problem(problem)
    rng = np.random.default_rng(seed)
    # Every pair, in a shuffled order and some of them twice.
    ia, jb = np.divmod(np.arange(n_mentees * n_mentors), n_mentors)
    picked = rng.permutation(np.concatenate([np.arange(ia.size), rng.integers(0, ia.size, 5)]))
    ia, jb = ia[picked], jb[picked]
    _, values = score_pairs(c, ia, jb, policy.weights, policy.bands)
    together = contributions_of_pairs(c, problem.mentees, problem.mentors, ia, jb, values)
    alone = contributions_one_by_one(problem.mentees, problem.mentors, ia, jb, values)
    # repr tells 1 from 1.0 and -0.0 from 0.0, which == does not.
    assert repr(together) == repr(alone)
    assert [explain(x) for x in together] == [explain(x) for x in alone]
    # No two pairs share a detail dict or list, as when each pair is described alone.
    details = [c.detail for row in together for c in row]
    assert len({id(d) for d in details}) == len(details)
    themes = [c.detail["themes"] for row in together for c in row if c.criterion == "themes"]
    assert len({id(t) for t in themes}) == len(themes)


@settings(deadline=None, max_examples=20)
@given(seed=st.integers(0, 10_000), mode=st.sampled_from(["optimal", "stable", "suggest"]))
def test_a_run_explains_its_pairs_as_each_pair_alone(seed: int, mode: str) -> None:
    problem = _varied(programme(seed, n_mentees=14, n_mentors=7), seed)
    policy = Policy.from_dict({"weights": {"timezone_band": 1.0}, "matching": {"mode": mode}})
    result = match(problem=problem, policy=policy)
    c = compile_problem(problem)
    mentee = {p.id: k for k, p in enumerate(problem.mentees)}
    mentor = {p.id: k for k, p in enumerate(problem.mentors)}
    for pair in (*result.matches, *result.suggestions):
        ia = np.array([mentee[pair.mentee_id]])
        jb = np.array([mentor[pair.mentor_id]])
        scores, values = score_pairs(c, ia, jb, policy.weights, policy.bands)
        row = {k: float(v[0]) for k, v in values.items()}
        own = contributions_for(problem.mentees[ia[0]], problem.mentors[jb[0]], row)
        assert repr(pair.contributions) == repr(own)
        assert pair.score == round(float(scores[0]), 9)
        assert pair.explanation.endswith(explain(own))


def test_no_pairs_have_no_contributions() -> None:
    problem = programme(1, n_mentees=3, n_mentors=2)
    c = compile_problem(problem)
    empty = np.zeros(0, dtype=np.int64)
    _, values = score_pairs(c, empty, empty, Policy().weights, Policy().bands)
    assert contributions_of_pairs(c, problem.mentees, problem.mentors, empty, empty, values) == []


@settings(max_examples=60)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from([0.0, -0.0, 0.1234565, 2.675, 1e-7]),
        ),
        max_size=30,
    )
)
def test_rounding_each_distinct_value_once_is_rounding_each_value(xs: list[float]) -> None:
    assert repr(rounded(np.array(xs, dtype=np.float64), 6)) == repr([round(x, 6) for x in xs])
