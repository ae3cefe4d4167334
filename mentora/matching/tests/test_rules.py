"""Every hard rule, the reporting-line forest and "why not?"."""

from __future__ import annotations

import numpy as np
import pytest

from mentora.matching import Person, Policy, Problem, ProblemError, match, why_not
from mentora.matching.reporting import build_forest, chain
from mentora.matching.timezones import utc_offset_hours


def _run(mentee: Person, mentor: Person, policy: dict | None = None, **extra: object) -> int:
    problem = Problem(mentees=(mentee,), mentors=(mentor,), **extra)  # type: ignore[arg-type]
    result = match(problem=problem, policy=Policy.from_dict(policy or {}))
    return len(result.matches)


def _rules(mentee: Person, mentor: Person, policy: dict | None = None, **extra: object) -> list:
    problem = Problem(mentees=(mentee,), mentors=(mentor,), **extra)  # type: ignore[arg-type]
    answer = why_not(
        problem=problem,
        policy=Policy.from_dict(policy or {}),
        mentee_id=mentee.id,
        mentor_id=mentor.id,
    )
    return [b.rule for b in answer.broken]


PEOPLE = (("ceo", ""), ("vp", "ceo"), ("lead", "vp"), ("dev", "lead"), ("other", "ceo"))


def test_it_rejects_a_mentor_in_the_mentees_reporting_line() -> None:
    mentee, mentor = Person(id="dev"), Person(id="vp")
    assert _run(mentee, mentor, people=PEOPLE) == 0
    assert _rules(mentee, mentor, people=PEOPLE) == ["reporting_line"]


def test_it_rejects_a_mentor_below_a_senior_mentee_at_any_depth() -> None:
    mentee, mentor = Person(id="vp"), Person(id="dev")
    assert _run(mentee, mentor, people=PEOPLE) == 0
    assert _rules(mentee, mentor, people=PEOPLE) == ["reporting_line"]


def test_it_accepts_people_in_different_branches_of_the_tree() -> None:
    assert _run(Person(id="dev"), Person(id="other"), people=PEOPLE) == 1


def test_it_can_switch_the_reporting_line_rule_off() -> None:
    policy = {"constraints": {"reporting_line": False}}
    assert _run(Person(id="dev"), Person(id="vp"), policy, people=PEOPLE) == 1


def test_it_uses_managers_from_profiles_when_no_people_table_is_given() -> None:
    assert _run(Person(id="a", manager_id="b"), Person(id="b")) == 0


def test_euler_intervals_agree_with_walking_the_chain() -> None:
    rng = np.random.default_rng(3)
    managers = {"p0": ""}
    for k in range(1, 300):
        managers[f"p{k}"] = f"p{int(rng.integers(0, k))}"
    forest = build_forest(managers)
    ids = list(managers)
    for _ in range(2000):
        a, b = rng.choice(ids, size=2)
        expected = a in chain(managers, b) or b in chain(managers, a) or a == b
        assert forest.related(a, b) == expected


def test_it_reports_a_cycle_in_the_reporting_lines_as_an_input_error() -> None:
    with pytest.raises(ProblemError, match="cycle"):
        build_forest({"a": "b", "b": "c", "c": "a", "d": ""})


def test_a_profile_naming_another_manager_than_the_reporting_table_is_an_error() -> None:
    problem = Problem(
        mentees=(Person(id="e", manager_id="m"),),
        mentors=(Person(id="m"),),
        people=(("e", "boss"), ("boss", ""), ("m", "")),
    )
    with pytest.raises(ProblemError, match="conflicts with the reporting table"):
        match(problem=problem, policy=Policy())
    # The same manager on both, or a profile filling a gap in the table, is fine.
    agreeing = Problem(
        mentees=(Person(id="e", manager_id="boss"),),
        mentors=(Person(id="m", manager_id="boss"),),
        people=(("e", "boss"), ("boss", "")),
    )
    assert len(match(problem=agreeing, policy=Policy()).matches) == 1


def test_it_rejects_a_pair_in_the_same_team() -> None:
    assert _run(Person(id="e", team="t1"), Person(id="m", team="t1")) == 0
    assert _rules(Person(id="e", team="t1"), Person(id="m", team="t1")) == ["same_team"]
    assert _run(Person(id="e", team="t1"), Person(id="m", team="t2")) == 1


def test_it_never_pairs_across_competing_organisations() -> None:
    mentee, mentor = Person(id="e", organisation="A"), Person(id="m", organisation="B")
    assert _run(mentee, mentor, competitors=(("A", "B"),)) == 0
    assert _rules(mentee, mentor, competitors=(("B", "A"),)) == ["competitors"]
    assert _run(mentee, mentor, competitors=(("A", "C"),)) == 1


def test_it_requires_different_organisations_in_cross_organisation_programmes() -> None:
    policy = {"constraints": {"same_organisation": True}}
    same = (Person(id="e", organisation="A"), Person(id="m", organisation="A"))
    assert _run(*same, policy) == 0
    assert _rules(*same, policy) == ["same_organisation"]
    assert _run(*same) == 1


def test_it_rejects_time_zones_too_far_apart_in_virtual_programmes() -> None:
    policy = {"constraints": {"max_timezone_gap_hours": 3}}
    far = (Person(id="e", timezone="Europe/Copenhagen"), Person(id="m", timezone="Asia/Kolkata"))
    near = (Person(id="e", timezone="Europe/London"), Person(id="m", timezone="+02:00"))
    assert _run(*far, policy) == 0
    assert _rules(*far, policy) == ["timezone_gap"]
    assert _run(*near, policy) == 1


def test_it_measures_time_zone_gaps_the_short_way_round_the_clock() -> None:
    policy = {"constraints": {"max_timezone_gap_hours": 2}}
    assert _run(Person(id="e", timezone="+12:00"), Person(id="m", timezone="-11:00"), policy) == 1


@pytest.mark.parametrize(
    ("zone", "hours"),
    [
        ("Europe/London", 0.0),
        # Irish standard time is the summer time; winter is recorded as negative saving.
        ("Europe/Dublin", 0.0),
        ("Europe/Copenhagen", 1.0),
        ("Australia/Sydney", 10.0),
        ("America/Santiago", -4.0),
        ("Asia/Kolkata", 5.5),
    ],
)
def test_a_named_time_zone_counts_with_its_winter_offset(zone: str, hours: float) -> None:
    assert utc_offset_hours(zone) == hours


def test_dublin_and_london_are_no_time_apart() -> None:
    policy = {"constraints": {"max_timezone_gap_hours": 0}}
    pair = (Person(id="e", timezone="Europe/Dublin"), Person(id="m", timezone="UTC"))
    assert _run(*pair, policy) == 1


def test_it_requires_a_shared_language_when_asked() -> None:
    policy = {"constraints": {"shared_language": True}}
    apart = (Person(id="e", languages=("da",)), Person(id="m", languages=("en", "no")))
    assert _run(*apart, policy) == 0
    assert _rules(*apart, policy) == ["shared_language"]
    assert (
        _run(Person(id="e", languages=("da", "en")), Person(id="m", languages=("en",)), policy) == 1
    )


def test_it_honours_an_exclusion_from_either_side() -> None:
    assert _run(Person(id="e", exclude=("m",)), Person(id="m")) == 0
    assert _run(Person(id="e"), Person(id="m", exclude=("e",))) == 0
    assert _rules(Person(id="e"), Person(id="m", exclude=("e",))) == ["exclude"]


def test_it_never_gives_a_mentor_more_mentees_than_their_capacity() -> None:
    mentees = tuple(Person(id=f"e{k}") for k in range(5))
    problem = Problem(mentees=mentees, mentors=(Person(id="m", capacity=2),))
    result = match(problem=problem, policy=Policy())
    assert len(result.matches) == 2


def test_it_caps_capacity_at_the_programmes_group_size() -> None:
    mentees = tuple(Person(id=f"e{k}") for k in range(9))
    problem = Problem(mentees=mentees, mentors=(Person(id="m", capacity=8),))
    assert len(match(problem=problem, policy=Policy()).matches) == 5
    policy = Policy.from_dict({"matching": {"group_size": 7}})
    assert len(match(problem=problem, policy=policy).matches) == 7


def test_why_not_lists_every_broken_rule() -> None:
    mentee = Person(id="dev", team="t", organisation="A", timezone="+00:00")
    mentor = Person(id="vp", team="t", organisation="B", timezone="+09:00")
    rules = _rules(
        mentee,
        mentor,
        {"constraints": {"max_timezone_gap_hours": 4}},
        people=PEOPLE,
        competitors=(("A", "B"),),
    )
    assert rules == ["reporting_line", "same_team", "competitors", "timezone_gap"]


def test_why_not_explains_a_feasible_pair_that_was_not_chosen() -> None:
    mentees = (Person(id="e1", themes=("sales",)), Person(id="e2", themes=("data",)))
    mentors = (Person(id="m", themes=("sales",)),)
    problem = Problem(mentees=mentees, mentors=mentors)
    policy = Policy()
    result = match(problem=problem, policy=policy)
    answer = why_not(problem=problem, policy=policy, mentee_id="e2", mentor_id="m", result=result)
    assert answer.feasible
    assert answer.score == 0.0
    assert "e1" in answer.reason
    chosen = why_not(problem=problem, policy=policy, mentee_id="e1", mentor_id="m", result=result)
    assert chosen.score == 10.0
    assert "matched" in chosen.reason


def test_why_not_scores_a_pair_exactly_as_the_run_did() -> None:
    from mentora.matching.tests.factories import programme

    problem = programme(5, n_mentees=15, n_mentors=10)
    policy = Policy()
    result = match(problem=problem, policy=policy)
    for m in result.matches:
        answer = why_not(
            problem=problem,
            policy=policy,
            mentee_id=m.mentee_id,
            mentor_id=m.mentor_id,
            result=result,
        )
        assert answer.score == pytest.approx(m.score)
        assert [c.criterion for c in answer.contributions] == [c.criterion for c in m.contributions]
