"""The fairness report: group figures, merging of small groups, findings, mentor load and
the order check. No database."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentora.matching import Person, Policy, Problem, match
from mentora.matching.fairness import (
    OTHER,
    PairFacts,
    RoundFacts,
    facts_from_result,
    fairness_report,
    level_band,
    order_check,
    shuffled_problem,
)
from mentora.matching.model import ExplicitPairs, MatchResult
from mentora.matching.tests.factories import programme


def _facts() -> RoundFacts:
    """Thirteen mentees: six at Acme (all matched, themes 8 points each), five at Beta (two
    matched, themes 2 points each), two at Gamma (matched). Four mentors."""
    acme = [f"a{k}" for k in range(6)]
    beta = [f"b{k}" for k in range(5)]
    pairs = [
        PairFacts(e, f"m{k % 2}", 10.0, {"themes": 8.0, "progression": 2.0}, own_choice=k < 3)
        for k, e in enumerate(acme)
    ]
    pairs += [PairFacts(e, "m2", 4.0, {"themes": 2.0, "progression": 2.0}) for e in beta[:2]]
    pairs += [PairFacts(g, "m2", 6.0, {"themes": 6.0}) for g in ("g0", "g1")]
    return RoundFacts(
        mentees=(*acme, *beta, "g0", "g1"),
        mentors=("m0", "m1", "m2", "m3"),
        pairs=tuple(pairs),
        unmatched={"b2": "no_feasible_mentor", "b3": "no_feasible_mentor", "b4": "capacity"},
        wished=frozenset(acme[:5]),
        groups={
            "organisation": {
                **dict.fromkeys(acme, "Acme"),
                **dict.fromkeys(beta, "Beta"),
                "g0": "Gamma",
                "g1": "Gamma",
            }
        },
    )


def test_each_group_gets_its_counts_share_matched_mean_score_and_criteria() -> None:
    report = fairness_report(_facts(), minimum=2)
    acme, beta, gamma = report.breakdowns[0].groups
    assert (acme.group, acme.mentees, acme.matched, acme.matched_share) == ("Acme", 6, 6, 1.0)
    assert acme.mean_score == 10.0
    assert acme.points == {"progression": 2.0, "themes": 8.0}
    assert acme.score_shares == {"progression": 0.2, "themes": 0.8}
    assert (acme.wished, acme.own_choice, acme.own_choice_share) == (5, 3, 0.6)
    assert (beta.mentees, beta.matched, beta.matched_share, beta.mean_score) == (5, 2, 0.4, 4.0)
    assert beta.reasons == {"capacity": 1, "no_feasible_mentor": 2}
    assert (gamma.group, gamma.mentees, gamma.mean_score, gamma.points) == (
        "Gamma",
        2,
        6.0,
        {"progression": 0.0, "themes": 6.0},
    )


def test_a_group_below_the_minimum_is_merged_and_no_published_group_is_small() -> None:
    report = fairness_report(_facts(), minimum=5)
    groups = {g.group: g.mentees for g in report.breakdowns[0].groups}
    # Gamma (2) joins the others; still under 5, so the smaller of Acme and Beta joins too.
    assert groups == {"Acme": 6, OTHER: 7}
    assert sum(groups.values()) == report.overall.mentees == 13


def test_a_mean_or_a_share_of_fewer_than_the_minimum_is_not_given() -> None:
    report = fairness_report(_facts(), minimum=5)
    other = report.breakdowns[0].groups[1]
    # Seven mentees, four matched: the share matched is shown, the mean score is not.
    assert (other.mentees, other.matched, other.mean_score, other.points) == (7, 4, None, None)
    assert other.own_choice is None and other.own_choice_share is None


def test_no_breakdown_at_all_when_the_round_is_smaller_than_the_minimum() -> None:
    report = fairness_report(_facts(), minimum=14)
    assert report.breakdowns[0].hidden and report.breakdowns[0].groups == ()
    assert report.mentor_load == ()


def test_a_group_clearly_below_the_rest_is_named_with_what_drives_it() -> None:
    report = fairness_report(_facts(), minimum=2)
    found = {(f.group, f.measure): f for f in report.findings}
    share = found[("Beta", "matched_share")]
    assert (share.value, share.rest, share.driver) == (0.4, 1.0, "no_feasible_mentor")
    assert share.gap == pytest.approx(0.4)
    score = found[("Beta", "mean_score")]
    # The rest: six pairs at 8 theme points and two at 6, against Beta's 2.
    assert (score.value, score.driver) == (4.0, "themes")
    assert score.gap == pytest.approx((6 * 8 + 2 * 6) / 8 - 2)
    # Acme is above the rest on both: nothing said about it.
    assert not any(f.group == "Acme" for f in report.findings)


def test_equal_groups_give_no_finding() -> None:
    facts = _facts()
    even = dataclasses.replace(
        facts,
        pairs=tuple(PairFacts(e, "m0", 5.0, {"themes": 5.0}) for e in facts.mentees if e != "b4"),
        unmatched={"b4": "capacity"},
    )
    assert fairness_report(even, minimum=2).findings == ()


def test_mentor_load_counts_mentors_by_mentees_taken_and_merges_small_bands() -> None:
    report = fairness_report(_facts(), minimum=1)
    # m0 and m1 took three each, m2 four, m3 none.
    assert [(b.low, b.high, b.mentors) for b in report.mentor_load] == [
        (0, 0, 1),
        (3, 3, 2),
        (4, 4, 1),
    ]
    # With 2 at least: the one mentor at 4 joins those at 3, and the one at 0, a lowest
    # band too small, joins that band in turn.
    merged = fairness_report(_facts(), minimum=2)
    assert [(b.low, b.high, b.mentors) for b in merged.mentor_load] == [(0, 4, 4)]


def test_level_bands_take_two_levels_at_a_time() -> None:
    assert [level_band(x) for x in (0, 1, 2, 3.5, 9, None)] == [
        "0-1",
        "0-1",
        "2-3",
        "2-3",
        "8-9",
        "",
    ]


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=6),
    minimum=st.integers(min_value=1, max_value=6),
    matched=st.integers(min_value=0, max_value=60),
)
def test_published_groups_add_up_and_none_is_small(
    sizes: list[int], minimum: int, matched: int
) -> None:
    mentees = [f"{g}-{k}" for g, n in enumerate(sizes) for k in range(n)]
    groups = {e: e.split("-")[0] for e in mentees}
    pairs = tuple(PairFacts(e, "m", 1.0) for e in mentees[:matched])
    facts = RoundFacts(tuple(mentees), ("m",), pairs, groups={"g": groups})
    report = fairness_report(facts, minimum=minimum)
    breakdown = report.breakdowns[0]
    if len(mentees) < minimum:
        assert breakdown.hidden
        return
    assert sum(g.mentees for g in breakdown.groups) == len(mentees)
    assert sum(g.matched for g in breakdown.groups) == min(matched, len(mentees))
    assert all(g.mentees >= minimum for g in breakdown.groups)


def test_the_facts_of_a_result_carry_its_pairs_scores_and_own_choices() -> None:
    problem = programme(3)
    result = match(problem=problem, policy=Policy())
    facts = facts_from_result(problem, result)
    assert len(facts.pairs) == len(result.matches)
    by_id = {p.id: p for p in problem.mentees}
    for pair in facts.pairs:
        assert pair.own_choice == (pair.mentor_id in by_id[pair.mentee_id].preferences)
        assert sum(pair.points.values()) == pytest.approx(pair.score, abs=1e-5)
    assert facts.groups["level_band"]["e0"] == level_band(by_id["e0"].level)


def test_the_order_check_finds_the_same_objective_after_shuffling() -> None:
    problem = programme(5, n_mentees=20, n_mentors=12)
    policy = Policy()
    result = match(problem=problem, policy=policy)
    check = order_check(problem=problem, policy=policy, result=result, seed=7)
    assert check.same_objective
    assert check.objective == result.objective
    assert abs(check.shuffled_objective - check.objective) <= check.tolerance
    assert 0 <= check.pairs_differ <= len(problem.mentees)


def test_the_order_check_says_so_when_a_result_is_not_what_the_input_gives() -> None:
    problem = programme(5, n_mentees=20, n_mentors=12)
    policy = Policy()
    result = match(problem=problem, policy=policy)
    worse = dataclasses.replace(
        result,
        matches=result.matches[1:],
        objective=result.objective - result.matches[0].score,
    )
    check = order_check(problem=problem, policy=policy, result=worse)
    assert not check.same_objective
    assert check.pairs_differ >= 1


def test_the_order_check_refuses_modes_without_one_result() -> None:
    policy = Policy.from_dict({"matching": {"mode": "suggest"}})
    with pytest.raises(ValueError, match="optimal and stable"):
        order_check(problem=programme(1), policy=policy, result=MatchResult(mode="suggest"))


def test_a_shuffled_pairs_problem_keeps_every_pair_and_score() -> None:
    problem = Problem(
        mentees=tuple(Person(id=f"e{k}") for k in range(4)),
        mentors=tuple(Person(id=f"m{k}", capacity=1) for k in range(3)),
        pairs=ExplicitPairs(
            np.array([0, 1, 2, 3, 3]), np.array([0, 1, 2, 0, 2]), np.array([5.0, 4, 3, 2, 1])
        ),
    )
    shuffled = shuffled_problem(problem, seed=3)
    assert shuffled.pairs is not None and problem.pairs is not None

    def triples(p: Problem) -> set[tuple[str, str, float]]:
        assert p.pairs is not None
        return {
            (p.mentees[i].id, p.mentors[j].id, float(s))
            for i, j, s in zip(
                p.pairs.mentee_index, p.pairs.mentor_index, p.pairs.score, strict=True
            )
        }

    assert triples(shuffled) == triples(problem)
    assert [p.id for p in shuffled.mentees] != [p.id for p in problem.mentees]


def _pairs_problem(scores: list[float]) -> Problem:
    return Problem(
        mentees=tuple(Person(id=f"e{k}") for k in range(3)),
        mentors=tuple(Person(id=f"m{k}", capacity=1) for k in range(3)),
        pairs=ExplicitPairs(np.array([0, 1, 2, 0]), np.array([0, 1, 2, 1]), np.array(scores)),
    )


def test_the_order_check_compares_exactly_where_scores_sit_on_a_grid() -> None:
    policy = Policy()
    grid = _pairs_problem([3.0, 2.5, 1.0, 4.0])
    check = order_check(problem=grid, policy=policy, result=match(problem=grid, policy=policy))
    assert check.same_objective and check.tolerance <= 1e-5
    rough = _pairs_problem([3.0001234, 2.5004321, 1.0000777, 4.0009999])
    check = order_check(problem=rough, policy=policy, result=match(problem=rough, policy=policy))
    # Off any grid the solver rounds each score to 0.001, so that much per pair may differ.
    assert check.same_objective and check.tolerance == pytest.approx(3 * 0.001, abs=1e-5)
