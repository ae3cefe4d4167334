"""Small groups show nothing, and no hidden group can be worked out from what is shown."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mentora.reports.aggregates import build_report, retention
from mentora.reports.standards.facts import gather
from mentora.reports.tests.conftest import fill, hr_dates
from mentora.surveys.tests.conftest import make_world


def _codes_shown(result: Any) -> set[str]:
    return {
        i.question.code
        for i in result.items
        if i.distribution is not None or i.nps is not None or i.choices
    }


def test_a_survey_with_four_respondents_shows_nothing(personas: Any, client_for: Any) -> None:
    world = make_world(personas)
    # Two more mentees: with the two personas, four people in all.
    filled = fill(world, mentees=2, mentors=0, answer_share=1.0)
    report = build_report(world.programme)
    for result in report.surveys:
        assert _codes_shown(result) == set()
        assert result.scales == []
        assert all(row.responded is None and row.rate is None for row in result.rates)
    assert all(c.change is None for c in report.changes)
    page = client_for(personas.sponsor).get(f"/programmes/{world.programme.pk}/report/")
    assert page.status_code == 200
    assert b"RD1" not in page.content and b"fewer than 5" in page.content
    assert filled.answers  # they did answer


def test_a_hidden_group_cannot_be_recovered_by_subtraction_from_the_total(
    personas: Any,
) -> None:
    world = make_world(personas)
    # Mentees: 3 + the persona = 4 (hidden); mentors: 9 + the persona = 10.
    # One more mentor is invited and does not answer, so the total does not say that
    # everyone in the hidden groups answered.
    fill(world, mentees=3, mentors=9, answer_share=1.0, silent=1)
    report = build_report(world.programme)
    for result in report.surveys:
        rates = {row.role: row.responded for row in result.rates}
        # The mentors' count is hidden too, or total minus mentors would give the mentees.
        assert rates["Mentees"] is None
        assert rates["Mentors"] is None
        assert rates["All groups"] == 14
        shown = _codes_shown(result)
        # Questions for both groups describe the total of 14 and may be shown ...
        assert "RQ1" in shown or "RD1" in shown
        # ... but nothing about mentors alone, which subtracted from the total would
        # reveal the four mentees' answers, and nothing about the mentees.
        assert not shown & {"ML1", "ML2", "CC1", "CC2", "CC3", "CS1", "PS1"}
        constructs = {s.construct for s in result.scales}
        assert not constructs & {"mentor_learning", "career_confidence", "career_support"}


def test_paired_change_needs_five_people_in_both_waves(personas: Any) -> None:
    world = make_world(personas)
    fill(world, mentees=3, mentors=9, answer_share=1.0, roles=["mentee"])
    report = build_report(world.programme)
    # Four mentees: no scale is published in either wave, so no change is either.
    assert all(result.scales == [] for result in report.surveys)
    assert [c.change for c in report.changes if c.change is not None] == []


def test_retention_is_not_shown_for_fewer_than_five_participants(personas: Any) -> None:
    world = make_world(personas)
    fill(world, mentees=1, mentors=1)
    hr_dates(world)
    result = retention(world.programme)
    assert result.participants.n == 4
    assert result.participants.curve is None and result.logrank is None


def test_numbers_at_risk_below_five_are_not_printed(personas: Any) -> None:
    world = make_world(personas)
    fill(world, mentees=5, mentors=1)
    hr_dates(world)
    result = retention(world.programme)
    assert result.participants.curve is not None
    assert all(n is None or n >= 5 for _month, n in result.participants.at_risk)


def test_the_evidence_pack_hides_the_total_the_report_hides(personas: Any) -> None:
    world = make_world(personas)
    # Everyone invited answers: 4 mentees (hidden) and 10 mentors. A total of 14 of 14
    # invited would say that all four mentees answered.
    fill(world, mentees=3, mentors=9, answer_share=1.0)
    report = build_report(world.programme)
    facts = gather(world.programme, now=timezone.now())
    assert len(facts.surveys) == len(report.surveys) == 2
    for result, survey in zip(report.surveys, facts.surveys, strict=True):
        assert [row.responded for row in result.rates] == [None, None, None]
        assert survey.closed and survey.invited == 14 and survey.answered is None
