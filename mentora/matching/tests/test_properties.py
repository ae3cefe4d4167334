"""Properties that hold on every random programme."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mentora.matching import Policy, Problem, count_violations, match, why_not
from mentora.matching.rules import too_far_apart
from mentora.matching.scoring import band, band_between
from mentora.matching.tests.factories import programme
from mentora.matching.timezones import circular_gaps

POLICIES = st.fixed_dictionaries(
    {
        "constraints": st.fixed_dictionaries(
            {
                "same_team": st.booleans(),
                "same_organisation": st.booleans(),
                "shared_language": st.booleans(),
                "max_timezone_gap_hours": st.sampled_from([2.0, 5.0, 12.0]),
            }
        ),
        "matching": st.fixed_dictionaries(
            {
                "mode": st.sampled_from(["optimal", "stable"]),
                "candidates_per_mentee": st.sampled_from([0, 2, 5]),
            }
        ),
    }
)


def _with_locks(problem: Problem, policy: Policy, seed: int) -> Problem:
    rng = random.Random(seed)
    load: dict[str, int] = {}
    locks = []
    for mentee in problem.mentees:
        if rng.random() > 0.25:
            continue
        mentor = rng.choice(problem.mentors)
        answer = why_not(problem=problem, policy=policy, mentee_id=mentee.id, mentor_id=mentor.id)
        if answer.feasible and load.get(mentor.id, 0) < min(mentor.capacity or 0, 5):
            load[mentor.id] = load.get(mentor.id, 0) + 1
            locks.append((mentee.id, mentor.id))
    return Problem(
        problem.mentees, problem.mentors, problem.people, problem.competitors, tuple(locks)
    )


@settings(deadline=None, max_examples=40)
@given(
    seed=st.integers(0, 10_000),
    n_mentees=st.integers(1, 14),
    n_mentors=st.integers(1, 7),
    policy_data=POLICIES,
)
def test_no_hard_rule_capacity_or_lock_is_ever_broken(
    seed: int, n_mentees: int, n_mentors: int, policy_data: dict
) -> None:
    policy = Policy.from_dict(policy_data)
    problem = _with_locks(programme(seed, n_mentees=n_mentees, n_mentors=n_mentors), policy, seed)
    result = match(problem=problem, policy=policy)
    assert count_violations(problem=problem, policy=policy, result=result) == 0
    chosen = {(m.mentee_id, m.mentor_id) for m in result.matches}
    assert set(problem.locks) <= chosen
    assert len(result.matches) + len(result.unmatched) == n_mentees
    for m in result.matches:
        # The explanation names the pair's top criteria, and those carry its score.
        assert all(c.text in m.explanation for c in m.contributions[:3])
        assert sum(c.points for c in m.contributions) >= m.score - 1e-6
        if m.score > 0:
            assert m.contributions
        assert why_not(
            problem=problem, policy=policy, mentee_id=m.mentee_id, mentor_id=m.mentor_id
        ).feasible
    if policy.matching.mode == "optimal":
        assert result.certified_optimal is True
    else:
        assert result.blocking_pairs == ()


@settings(deadline=None, max_examples=60)
@given(
    a=st.lists(st.sampled_from([1.0, 2.0, 3.5, 7.0, float("nan")]), min_size=1, max_size=9),
    b=st.lists(st.sampled_from([0.0, 2.0, 4.0, 9.0, float("nan")]), min_size=1, max_size=9),
    low=st.sampled_from([0.0, 1.0]),
    slack=st.sampled_from([0.5, 2.0]),
)
def test_the_looked_up_band_is_the_band_itself(
    a: list[float], b: list[float], low: float, slack: float
) -> None:
    rows = np.array(a)[:, None]
    cols = np.array(b)[None, :]
    looked_up = band_between(rows, cols, low, low + 2.0, slack)
    assert looked_up.shape == (len(a), len(b))
    assert np.array_equal(looked_up, band(cols - rows, low, low + 2.0, slack))


@settings(deadline=None, max_examples=60)
@given(
    a=st.lists(st.sampled_from([-8.0, -3.5, 0.0, 5.5, 12.0, float("nan")]), min_size=1, max_size=9),
    b=st.lists(
        st.sampled_from([-11.0, -3.0, 1.0, 9.5, 14.0, float("nan")]), min_size=1, max_size=9
    ),
    gap=st.sampled_from([0.0, 2.0, 5.5]),
)
def test_the_looked_up_time_zone_rule_is_the_rule_itself(
    a: list[float], b: list[float], gap: float
) -> None:
    rows = np.array(a)[:, None]
    cols = np.array(b)[None, :]
    looked_up = too_far_apart(rows, cols, gap)
    assert looked_up.shape == (len(a), len(b))
    with np.errstate(invalid="ignore"):
        assert np.array_equal(looked_up, circular_gaps(rows, cols) > gap + 1e-9)
