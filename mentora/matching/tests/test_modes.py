"""Suggestions, groups, fairness, locks, candidates, certificate, policy and progress."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pytest

from mentora.matching import (
    ExplicitPairs,
    Person,
    Policy,
    PolicyError,
    Problem,
    ProblemError,
    count_violations,
    form_groups,
    match,
)
from mentora.matching import candidates as cand
from mentora.matching.columns import compile_problem
from mentora.matching.solve import has_negative_cycle, integer_weights, score_grid
from mentora.matching.tests.factories import programme


def _popular_problem() -> Problem:
    mentees = tuple(Person(id=f"e{k}", themes=("sales",)) for k in range(20))
    star = tuple(Person(id=f"star{k}", themes=("sales",), capacity=1) for k in range(2))
    others = tuple(Person(id=f"m{k}", themes=(), capacity=1) for k in range(20))
    return Problem(mentees=mentees, mentors=star + others)


def test_suggest_gives_each_mentee_a_ranked_list_with_explanations() -> None:
    problem = programme(2, n_mentees=10, n_mentors=8)
    policy = Policy.from_dict({"matching": {"mode": "suggest", "suggestions": 3}})
    result = match(problem=problem, policy=policy)
    by_mentee: dict[str, list] = {}
    for s in result.suggestions:
        by_mentee.setdefault(s.mentee_id, []).append(s)
        assert s.explanation
    for items in by_mentee.values():
        assert [s.rank for s in items] == list(range(1, len(items) + 1))
        assert len(items) <= 3
        assert len({s.mentor_id for s in items}) == len(items)


def test_suggest_spreads_popular_mentors_over_the_lists() -> None:
    problem = _popular_problem()
    spread_policy = Policy.from_dict({"matching": {"mode": "suggest", "suggestions": 3}})
    result = match(problem=problem, policy=spread_policy)
    appearances = Counter(s.mentor_id for s in result.suggestions)
    # Fair share: 20 mentees x 3 lists x 1 place / 22 places; at most twice that, rounded up.
    assert appearances["star0"] <= 6
    assert appearances["star1"] <= 6
    assert len({s.mentee_id for s in result.suggestions}) == 20


def test_suggest_without_spreading_would_put_the_stars_on_every_list() -> None:
    problem = _popular_problem()
    policy = Policy.from_dict(
        {
            "matching": {
                "mode": "suggest",
                "suggestions": 3,
                "suggest_max_share": 100.0,
                "suggest_penalty": 0.0,
            }
        }
    )
    appearances = Counter(s.mentor_id for s in match(problem=problem, policy=policy).suggestions)
    assert appearances["star0"] == 20


def test_groups_never_break_hard_rules_and_respect_the_size_range() -> None:
    problem = programme(4, n_mentees=23, n_mentors=1)
    policy = Policy.from_dict(
        {
            "matching": {"mode": "groups", "seed": 3},
            "groups": {"min_size": 3, "max_size": 5},
            "constraints": {"max_timezone_gap_hours": 6},
        }
    )
    result = match(problem=problem, policy=policy)
    assert result.groups
    assert count_violations(problem=problem, policy=policy, result=result) == 0
    members = [m for g in result.groups for m in g.member_ids]
    assert len(members) == len(set(members))
    assert len(members) + len(result.ungrouped) == 23
    for g in result.groups:
        assert 3 <= len(g.member_ids) <= 5
        assert g.explanation.startswith("mixes")


def test_action_learning_groups_take_one_member_per_organisation() -> None:
    members = tuple(
        Person(id=f"p{org}{k}", organisation=org, department=f"d{k % 3}")
        for org in "ABCD"
        for k in range(3)
    )
    policy = Policy.from_dict(
        {"groups": {"min_size": 4, "max_size": 4, "one_per_organisation": True}}
    )
    groups, left = form_groups(members=members, policy=policy)
    assert len(groups) == 3 and not left
    for g in groups:
        assert len({pid[1] for pid in g.member_ids}) == 4


def test_groups_are_reproducible_with_the_same_seed() -> None:
    problem = programme(6, n_mentees=20, n_mentors=1)
    policy = Policy.from_dict({"matching": {"mode": "groups", "seed": 11}})
    assert match(problem=problem, policy=policy) == match(problem=problem, policy=policy)


def _two_way() -> Problem:
    mentees = tuple(
        Person(id=f"{org}e{k}", organisation=org, themes=("x",) if org == "A" else ())
        for org in "AB"
        for k in range(4)
    )
    mentors = tuple(
        Person(id=f"{org}m{k}", organisation=org, themes=("x",), capacity=1)
        for org in "AB"
        for k in range(2)
    )
    return Problem(mentees=mentees, mentors=mentors)


def test_fairness_bounds_give_each_organisation_its_share() -> None:
    problem = _two_way()
    unfair = match(problem=problem, policy=Policy())
    assert unfair.organisations["A"]["mentees_matched"] == 4
    policy = Policy.from_dict({"fairness": {"A": {"max_mentees": 2}, "B": {"min_mentees": 2}}})
    fair = match(problem=problem, policy=policy)
    assert fair.organisations["A"]["mentees_matched"] == 2
    assert fair.organisations["B"]["mentees_matched"] == 2
    assert fair.certified_optimal is True


def test_fairness_bounds_on_mentor_load() -> None:
    problem = _two_way()
    policy = Policy.from_dict({"fairness": {"B": {"max_mentor_load": 1}}})
    result = match(problem=problem, policy=policy)
    assert result.organisations["B"]["mentor_load"] <= 1
    assert len(result.matches) == 3


def _one_star_mentor() -> Problem:
    """Org B's mentor b0 suits everyone best; b1 and b2 less so. All take two."""
    mentees = tuple(Person(id=f"e{k}", organisation="A", themes=("x",)) for k in range(4))
    mentors = (
        Person(id="b0", organisation="B", themes=("x",), capacity=2),
        Person(id="b1", organisation="B", capacity=2),
        Person(id="b2", organisation="B", capacity=2),
    )
    return Problem(mentees=mentees, mentors=mentors)


def test_a_minimum_of_used_mentors_spreads_the_mentees() -> None:
    problem = _one_star_mentor()
    assert match(problem=problem, policy=Policy()).organisations["B"]["mentors_used"] == 2
    policy = Policy.from_dict({"fairness": {"B": {"min_mentors_used": 3}}})
    result = match(problem=problem, policy=policy)
    assert result.organisations["B"]["mentors_used"] == 3
    assert len(result.matches) == 4
    assert result.certified_optimal is True
    assert count_violations(problem=problem, policy=policy, result=result) == 0


def test_a_maximum_of_used_mentors_is_kept_even_at_the_cost_of_matches() -> None:
    problem = _one_star_mentor()
    policy = Policy.from_dict({"fairness": {"B": {"max_mentors_used": 1}}})
    result = match(problem=problem, policy=policy)
    assert result.organisations["B"]["mentors_used"] == 1
    assert {m.mentor_id for m in result.matches} == {"b0"}
    assert len(result.matches) == 2
    assert result.certified_optimal is True
    assert count_violations(problem=problem, policy=policy, result=result) == 0
    assert match(problem=problem, policy=policy).matches == result.matches


def test_a_mentee_left_out_by_a_fairness_bound_is_told_so() -> None:
    problem = _one_star_mentor()
    policy = Policy.from_dict({"fairness": {"A": {"max_mentees": 3}}})
    result = match(problem=problem, policy=policy)
    assert [u.reason_code for u in result.unmatched] == ["fairness_bounds"]
    assert "fairness bounds" in result.unmatched[0].reason


def test_a_cap_on_used_mentors_stopped_by_its_time_limit_is_not_called_optimal() -> None:
    themes = ("a", "b", "c", "d", "e", "f")
    mentees = tuple(
        Person(id=f"e{k}", organisation="A", themes=(themes[k % 6], themes[k % 5]), level=k % 7)
        for k in range(300)
    )
    mentors = tuple(
        Person(
            id=f"m{k}",
            organisation="B",
            themes=(themes[k % 4], themes[k % 6]),
            level=k % 9,
            capacity=2,
        )
        for k in range(150)
    )
    problem = Problem(mentees=mentees, mentors=mentors)
    policy = Policy.from_dict(
        {
            "fairness": {"B": {"max_mentors_used": 60}},
            "matching": {"cp_sat_time_limit_seconds": 0.001},
        }
    )
    try:
        result = match(problem=problem, policy=policy)
    except ProblemError as error:
        assert "matching.cp_sat_time_limit_seconds" in str(error)
    else:
        assert result.certified_optimal is False
        assert count_violations(problem=problem, policy=policy, result=result) == 0


def test_a_locked_mentor_counts_as_used() -> None:
    problem = dataclasses.replace(_one_star_mentor(), locks=(("e0", "b1"),))
    policy = Policy.from_dict({"fairness": {"B": {"max_mentors_used": 1}}})
    result = match(problem=problem, policy=policy)
    assert {m.mentor_id for m in result.matches} == {"b1"}
    assert len(result.matches) == 2
    too_tight = Policy.from_dict({"fairness": {"B": {"max_mentors_used": 0}}})
    with pytest.raises(ProblemError, match="locks already exceed 0"):
        match(problem=problem, policy=too_tight)


def test_the_re_check_counts_a_result_outside_the_fairness_bounds() -> None:
    problem = _one_star_mentor()
    unbounded = match(problem=problem, policy=Policy())
    policy = Policy.from_dict(
        {"fairness": {"B": {"max_mentors_used": 1, "min_mentor_load": 5}, "A": {"max_mentees": 3}}}
    )
    # Two mentors used (1 too many), a load of 4 (1 short), 4 mentees matched (1 too many).
    assert count_violations(problem=problem, policy=policy, result=unbounded) == 3


def test_impossible_fairness_bounds_are_reported() -> None:
    policy = Policy.from_dict({"fairness": {"A": {"min_mentees": 6}}})
    with pytest.raises(ProblemError, match="fairness"):
        match(problem=_two_way(), policy=policy)


def test_locks_are_kept_and_use_capacity() -> None:
    problem = _two_way()
    locked = Problem(problem.mentees, problem.mentors, locks=(("Be0", "Am0"),))
    result = match(problem=locked, policy=Policy())
    pairs = {(m.mentee_id, m.mentor_id) for m in result.matches}
    assert ("Be0", "Am0") in pairs
    assert sum(1 for m in result.matches if m.mentor_id == "Am0") == 1
    assert [m.locked for m in result.matches if m.mentee_id == "Be0"] == [True]
    again = match(problem=locked, policy=Policy())
    assert again == result


def test_a_lock_that_breaks_a_hard_rule_is_rejected() -> None:
    problem = Problem(
        mentees=(Person(id="e", team="t"),),
        mentors=(Person(id="m", team="t"),),
        locks=(("e", "m"),),
    )
    with pytest.raises(ProblemError, match="same_team"):
        match(problem=problem, policy=Policy())


def test_locks_beyond_capacity_are_rejected() -> None:
    problem = Problem(
        mentees=(Person(id="a"), Person(id="b")),
        mentors=(Person(id="m", capacity=1),),
        locks=(("a", "m"), ("b", "m")),
    )
    with pytest.raises(ProblemError, match="capacity"):
        match(problem=problem, policy=Policy())


def test_a_capacity_beyond_the_flow_limit_is_rejected() -> None:
    problem = Problem(mentees=(Person(id="a"),), mentors=(Person(id="m", capacity=2**63),))
    with pytest.raises(ProblemError, match="capacity above"):
        match(problem=problem, policy=Policy())


def test_the_same_seed_gives_the_same_result() -> None:
    problem = programme(8, n_mentees=40, n_mentors=20)
    for mode in ("optimal", "stable", "suggest"):
        policy = Policy.from_dict({"matching": {"mode": mode, "seed": 5}})
        assert match(problem=problem, policy=policy) == match(problem=problem, policy=policy)


@pytest.mark.parametrize("mode", ["optimal", "stable", "suggest"])
def test_progress_reports_every_stage_to_its_end_with_fractions_between_0_and_1(
    mode: str,
) -> None:
    seen: list[tuple[str, float]] = []
    policy = Policy.from_dict({"matching": {"mode": mode}})
    match(problem=programme(1), policy=policy, progress=lambda s, f: seen.append((s, f)))
    assert all(0.0 <= f <= 1.0 for _, f in seen)
    for stage in ("candidates", "solve", "explain"):
        assert (stage, 1.0) in seen, stage


def test_every_match_explains_its_top_criteria() -> None:
    mentee = Person(
        id="e", themes=("negotiation", "leadership"), level=2, department="x", preferences=("m",)
    )
    mentor = Person(id="m", themes=("leadership", "negotiation"), level=4, department="y")
    result = match(problem=Problem(mentees=(mentee,), mentors=(mentor,)), policy=Policy())
    (m,) = result.matches
    assert m.explanation == (
        "mentee's 1st choice; shares themes: negotiation, leadership; mentor is 2 levels above"
    )
    assert [c.criterion for c in m.contributions][:3] == [
        "mentee_preference",
        "themes",
        "progression",
    ]
    assert m.contributions[1].detail == {"themes": ["negotiation", "leadership"]}
    assert m.score == pytest.approx(sum(c.points for c in m.contributions))


def test_progression_rewards_a_band_not_the_extremes() -> None:
    mentee = Person(id="e", level=3)
    mentors = tuple(Person(id=f"m{gap}", level=3 + gap) for gap in (-1, 0, 2, 4, 9))
    c = compile_problem(Problem(mentees=(mentee,), mentors=mentors))
    total = cand.score_block(c, Policy(), np.array([0]), np.arange(5))[0]
    assert total[2] > total[3] > total[4]
    assert total[2] > total[1] > total[0]
    assert total[4] == 0.0


def test_candidates_keep_ranked_choices_and_leave_no_mentor_isolated() -> None:
    problem = programme(9, n_mentees=60, n_mentors=30)
    policy = Policy.from_dict(
        {
            "matching": {
                "candidates_per_mentee": 2,
                "min_candidates_per_mentor": 2,
                "exhaustive_pairs_limit": 10,
                "pool_size": 8,
            }
        }
    )
    c = compile_problem(problem)
    capacity = c.mentors.arrays["capacity"]
    graph = cand.generate(c, policy, mentees=np.arange(60), mentor_capacity=capacity)
    arcs = set(zip(graph.mentee.tolist(), graph.mentor.tolist(), strict=True))
    assert len(arcs) == len(graph)
    assert np.all(np.diff(graph.mentee) >= 0)
    same = np.diff(graph.mentee) == 0
    assert np.all(np.diff(graph.score)[same] <= 0)
    full = cand.generate(
        c,
        Policy.from_dict({"matching": {"candidates_per_mentee": 0}}),
        mentees=np.arange(60),
        mentor_capacity=capacity,
    )
    feasible = set(zip(full.mentee.tolist(), full.mentor.tolist(), strict=True))
    assert arcs <= feasible
    for i, j in zip(c.mentee_rank.rows.tolist(), c.mentee_rank.cols.tolist(), strict=True):
        if (i, j) in feasible and capacity[j] > 0:
            assert (i, j) in arcs
    counts = Counter(graph.mentor.tolist())
    for j in range(30):
        reachable = sum(1 for (_, b) in feasible if b == j)
        if capacity[j] > 0 and reachable:
            assert counts[j] >= min(2, reachable) or counts[j] >= 1


def test_the_full_scan_by_time_zone_keeps_exactly_the_feasible_pairs() -> None:
    zones = ["+00:00", "+03:00", "-05:00", "+09:00", "+05:30", ""]  # "" = unknown zone
    mentees = tuple(Person(id=f"e{k}", timezone=zones[k % 6], themes=("sales",)) for k in range(30))
    mentors = tuple(Person(id=f"m{k}", timezone=zones[(k * 5) % 6], capacity=2) for k in range(18))
    c = compile_problem(Problem(mentees=mentees, mentors=mentors))
    policy = Policy.from_dict(
        {"constraints": {"max_timezone_gap_hours": 3}, "matching": {"candidates_per_mentee": 0}}
    )
    capacity = c.mentors.arrays["capacity"]
    graph = cand.generate(c, policy, mentees=np.arange(30), mentor_capacity=capacity)
    ia, jb = (x.ravel() for x in np.meshgrid(np.arange(30), np.arange(18), indexing="ij"))
    feasible = cand.pairs_feasible(c, policy, ia, jb)
    expected = set(zip(ia[feasible].tolist(), jb[feasible].tolist(), strict=True))
    assert set(zip(graph.mentee.tolist(), graph.mentor.tolist(), strict=True)) == expected
    assert len(graph) == len(expected)
    assert (5, 3) in expected  # an unknown zone meets +09:00
    assert (2, 3) not in expected  # -05:00 and +09:00 are 10 hours apart
    assert (3, 3) in expected and (2, 1) in expected  # the same zone; an unknown one
    assert np.all(np.diff(graph.mentee) >= 0)
    same = np.diff(graph.mentee) == 0
    assert np.all(np.diff(graph.score)[same] <= 0)


@pytest.mark.parametrize(
    ("layout", "split"), [("sampled", False), ("sampled", True), ("scan", False)]
)
def test_scored_blocks_are_placed_by_mentee_best_first_without_a_sort(
    layout: str, split: bool
) -> None:
    rng = np.random.default_rng(3)
    n_a, n_b = 40, 25
    # Samples interleave mentees across blocks; the exhaustive scan takes them in order.
    mentees = rng.permutation(n_a) if layout == "sampled" else np.arange(n_a)
    groups = np.array_split(mentees, 5)
    if split:  # one mentee's arcs in two blocks: the general assembly takes over
        groups[1] = np.append(groups[1], groups[0][0])
    blocks = []
    for rows in groups:
        i = np.repeat(np.sort(rows), 3)
        j = np.concatenate([rng.choice(n_b, size=3, replace=False) for _ in rows])
        s = rng.permutation(i.size).astype(float)
        order = np.lexsort((-s, i))
        blocks.append(cand._Block(i[order], j[order], s[order]))
    expected = cand._assemble(
        [b.mentee for b in blocks], [b.mentor for b in blocks], [b.score for b in blocks], n_a, n_b
    )
    graph = cand._assemble_runs(list(blocks), n_a, n_b)
    assert len(graph) == len(expected)
    assert split or len(graph) == n_a * 3
    for field in ("mentee", "mentor", "score"):
        assert np.array_equal(getattr(graph, field), getattr(expected, field))


def test_the_certificate_detects_a_negative_cycle() -> None:
    tail = np.array([0, 1, 2])
    head = np.array([1, 2, 0])
    assert has_negative_cycle(3, tail, head, np.array([1, 1, -3]))
    assert not has_negative_cycle(3, tail, head, np.array([1, 1, -2]))


def test_explicit_pairs_with_real_scores_are_optimised_to_the_resolution() -> None:
    pairs = ExplicitPairs(
        np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([1.0004, 1.0, 1.0, 1.0003])
    )
    problem = Problem(
        mentees=(Person(id="a"), Person(id="b")),
        mentors=(Person(id="x"), Person(id="y")),
        pairs=pairs,
    )
    policy = Policy.from_dict({"matching": {"score_resolution": 0.0001}})
    result = match(problem=problem, policy=policy)
    assert {(m.mentee_id, m.mentor_id) for m in result.matches} == {("a", "x"), ("b", "y")}


def test_scores_on_a_coarse_grid_are_optimised_in_units_of_that_grid() -> None:
    assert score_grid(np.array([1.0, 2.0, 5.0]), 0.001) == 1
    assert score_grid(np.array([1 / 3, 2 / 3, 1.5]), 0.001) == 6
    assert score_grid(np.array([0.1 + 0.2, 0.7]), 0.001) == 10  # float noise in sums
    assert score_grid(np.array([1.0004, 1.0003, 0.5]), 0.001) == 0  # too fine a grid
    assert score_grid(np.array([0.007, 0.0131]), 0.0001) == 0  # finer than 1/1000: rounded
    assert score_grid(np.array([1 / 997, 0.0]), 0.0001) == 997
    assert score_grid(np.array([np.pi, 1.0]), 0.001) == 0  # no grid: units of resolution
    assert score_grid(np.array([0.5]), 1.0) == 0  # the grid may not be finer than that
    # Thirds in sixths, shifted to start at 1; a common factor of the differences goes.
    assert integer_weights(np.array([1 / 3, 2 / 3, 1.5]), 0.001).tolist() == [1, 3, 8]
    assert integer_weights(np.array([2.0, 4.0, 6.0]), 0.001).tolist() == [1, 2, 3]
    assert integer_weights(np.array([np.pi, 1.0]), 0.001).tolist() == [2, 1]


def test_thirds_are_optimised_exactly_where_rounding_to_the_resolution_would_miss() -> None:
    # A cycle of 801 mentees and mentors with two perfect matchings. "Straight" pairs score
    # 2/3 each; "shifted" pairs score 1/3 (400 of them) or 1 (401), so shifted is better by
    # exactly 1/3. Rounded to 0.001, each 2/3 gains and each 1/3 loses 1/3000, and the
    # rounded totals would prefer straight by 0.067.
    n, m = 801, 400
    rows = np.concatenate([np.arange(n), (np.arange(n) + 1) % n])
    cols = np.concatenate([np.arange(n), np.arange(n)])
    shifted = np.where(np.arange(n) < m, 1 / 3, 1.0)
    scores = np.concatenate([np.full(n, 2 / 3), shifted])
    problem = Problem(
        mentees=tuple(Person(id=f"a{k}") for k in range(n)),
        mentors=tuple(Person(id=f"b{k}") for k in range(n)),
        pairs=ExplicitPairs(rows, cols, scores),
    )
    result = match(problem=problem, policy=Policy())
    assert result.objective == pytest.approx(2 * n / 3 + 1 / 3, abs=1e-6)
    assert ("a1", "b0") in {(p.mentee_id, p.mentor_id) for p in result.matches}


def test_the_policy_round_trips_through_a_plain_dict() -> None:
    data = {
        "constraints": {"max_timezone_gap_hours": 4.0, "shared_language": True},
        "weights": {"themes": 7.5},
        "matching": {"mode": "suggest", "suggestions": 4, "seed": 9},
        "groups": {"one_per_organisation": True},
        "fairness": {"Acme": {"min_mentees": 2, "max_mentor_load": 5}},
    }
    policy = Policy.from_dict(data)
    assert Policy.from_dict(policy.to_dict()) == policy
    assert policy.to_dict()["fairness"] == {"Acme": {"min_mentees": 2, "max_mentor_load": 5}}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"weights": {"themes": "high"}}, "weights.themes"),
        ({"matching": {"mode": "random"}}, "matching.mode"),
        ({"constraints": {"same_team": 1}}, "constraints.same_team"),
        ({"colours": {}}, "colours"),
        ({"weights": {"luck": 1}}, "weights.luck"),
        ({"fairness": {"A": {"max_mentors_used": -1}}}, "fairness.A.max_mentors_used"),
        (
            {"fairness": {"A": {"min_mentors_used": 3, "max_mentors_used": 2}}},
            "fairness.A.min_mentors_used",
        ),
        ({"fairness": {"A": {"min_mentees": 2, "max_mentees": 1}}}, "fairness.A.min_mentees"),
    ],
)
def test_the_policy_rejects_bad_values_naming_the_key(data: dict, key: str) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(data)
    assert info.value.key == key
