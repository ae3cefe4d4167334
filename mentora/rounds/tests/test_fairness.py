"""A round's fairness report: who may see it, its figures checked against the stored
proposals, the order check in the worker, and the PDF and XLSX."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import pytest
from django.db.models import Avg
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import MANAGERS_ONLY, PERSONAS, WRITE, audited, make_person
from mentora.accounts.models import Membership
from mentora.people.models import OrgUnit, OrgUnitKind
from mentora.programmes.models import Participant, Programme
from mentora.programmes.services import design
from mentora.rounds.models import MatchingRound, Proposal, RoundStatus
from mentora.rounds.services import fairness, rounds
from mentora.rounds.services import proposals as proposals_services

ALL = ("organisation", "department", "location", "level_band")


def _cohort(personas: Any) -> Programme:
    """Ten mentors in team Core (capacity 1). Seven mentees in Aarhus, each in a team of
    their own; six in Oslo, four of them in team Core, where no mentor may take them."""
    org = personas.organisation
    division = OrgUnit.objects.create(organisation=org, name="Ops", kind=OrgUnitKind.DIVISION)
    core = OrgUnit.objects.create(organisation=org, parent=division, name="Core", kind="team")
    programme = design.programme_create(
        organisation=org,
        actor=personas.manager,
        name="Leaders 2027",
        purpose="Grow leaders.",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 11, 1),
    )

    def join(person: Any, role: str) -> None:
        Participant.objects.create(
            programme=programme,
            person=person,
            role=role,
            status="ready",
            profile={"themes": ["leadership"], "capacity": 1},
        )

    for k in range(10):
        join(make_person(org, f"FM{k}", "Mentor", f"No{k}", org_unit=core, level=6), "mentor")
    for k in range(13):
        oslo = k >= 7
        unit = (
            core
            if oslo and k < 11
            else OrgUnit.objects.create(
                organisation=org, parent=division, name=f"Team {k}", kind="team"
            )
        )
        person = make_person(
            org,
            f"FE{k}",
            "Mentee",
            f"No{k}",
            org_unit=unit,
            level=2,
            location="Oslo" if oslo else "Aarhus",
        )
        join(person, "mentee")
    return programme


@pytest.fixture
def done(personas: Any) -> MatchingRound:
    programme = _cohort(personas)
    started = rounds.round_start(programme=programme, actor=personas.manager)
    return rounds.round_run(round_id=started.pk)


def _pages(r: MatchingRound) -> dict[str, str]:
    return {
        "page": reverse("round_fairness", args=[r.pk]),
        "pdf": reverse("round_fairness_pdf", args=[r.pk]),
        "xlsx": reverse("round_fairness_xlsx", args=[r.pk]),
    }


@pytest.mark.parametrize("page", ["page", "pdf", "xlsx"])
@pytest.mark.parametrize("who", PERSONAS)
def test_the_fairness_report_is_for_those_running_the_programme(
    client_for: Any, personas: Any, done: MatchingRound, page: str, who: str
) -> None:
    url = _pages(done)[page]
    assert client_for(getattr(personas, who)).get(url).status_code == MANAGERS_ONLY[who]


@pytest.mark.parametrize("who", PERSONAS)
def test_the_programme_menu_leads_to_the_latest_rounds_report(
    client_for: Any, personas: Any, done: MatchingRound, who: str
) -> None:
    response = client_for(getattr(personas, who)).get(
        reverse("programme_fairness", args=[done.programme_id])
    )
    expected = WRITE[who]
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == reverse("round_fairness", args=[done.pk])


def test_a_programme_without_a_round_says_where_rounds_are_started(
    client_for: Any, personas: Any
) -> None:
    programme = _cohort(personas)
    response = client_for(personas.manager).get(reverse("programme_fairness", args=[programme.pk]))
    assert response.status_code == 200
    assert "No round to report on yet" in response.content.decode()


@pytest.mark.parametrize("who", PERSONAS)
def test_asking_for_the_order_check_again_is_for_those_running_the_programme(
    client_for: Any, personas: Any, done: MatchingRound, who: str
) -> None:
    MatchingRound.objects.filter(pk=done.pk).update(order_check={})
    url = reverse("round_order_check", args=[done.pk])
    assert client_for(getattr(personas, who)).post(url).status_code == WRITE[who]
    done.refresh_from_db()
    asked = done.order_check.get("status") == "queued"
    assert asked == (WRITE[who] == 302)
    assert audited("rounds.round.order_check") == ([str(done.pk)] if asked else [])


def test_a_published_round_is_not_checked_again(
    client_for: Any, personas: Any, done: MatchingRound
) -> None:
    proposals_services.round_publish(matching_round=done, actor=personas.manager)
    MatchingRound.objects.filter(pk=done.pk).update(order_check={})
    response = client_for(personas.manager).post(
        reverse("round_order_check", args=[done.pk]), follow=True
    )
    assert "Only a round under review can be checked." in response.content.decode()
    done.refresh_from_db()
    assert done.order_check == {}


def test_the_figures_agree_with_a_count_of_the_stored_proposals(done: MatchingRound) -> None:
    """Recounted straight from the database, without the engine's arithmetic."""
    report = fairness.round_fairness(done, attributes=ALL)
    location = next(b for b in report.breakdowns if b.attribute == "location")
    figures = {g.group: g for g in location.groups}
    for place in ("Aarhus", "Oslo"):
        proposals = Proposal.objects.filter(matching_round=done, mentee__person__location=place)
        left = done.unmatched.filter(participant__person__location=place).count()
        assert figures[place].mentees == proposals.count() + left
        assert figures[place].matched == proposals.count()
    assert (figures["Aarhus"].matched, figures["Oslo"].matched) == (7, 2)
    aarhus = Proposal.objects.filter(matching_round=done, mentee__person__location="Aarhus")
    mean = aarhus.aggregate(mean=Avg("score"))["mean"]
    assert figures["Aarhus"].mean_score == pytest.approx(mean, abs=1e-6)
    # Two pairs in Oslo: too few for a mean to be given.
    assert figures["Oslo"].mean_score is None
    # Mentor load: every ready mentor of the round, those given no one included.
    given = Counter(Proposal.objects.filter(matching_round=done).values_list("mentor", flat=True))
    mentors = Participant.objects.filter(programme=done.programme, role="mentor")
    load = Counter(given.get(m.pk, 0) for m in mentors)
    assert sum(band.mentors for band in report.mentor_load) == mentors.count()
    for band in report.mentor_load:
        assert band.mentors == sum(load[n] for n in range(band.low, band.high + 1))
    # Oslo is clearly matched less often, and the hard rules are why.
    [finding] = [f for f in report.findings if f.measure == "matched_share"]
    assert (finding.group, finding.driver) == ("Oslo", "no_feasible_mentor")


def test_a_removed_pair_counts_as_unmatched_at_once(personas: Any, done: MatchingRound) -> None:
    proposal = done.proposals.filter(mentee__person__location="Aarhus").first()
    assert proposal is not None
    proposals_services.proposal_remove(proposal=proposal, actor=personas.manager)
    report = fairness.round_fairness(done, attributes=("location",))
    aarhus = next(g for g in report.breakdowns[0].groups if g.group == "Aarhus")
    assert (aarhus.mentees, aarhus.matched) == (7, 6)


def test_the_page_says_what_stands_out_and_offers_the_breakdowns(
    client_for: Any, personas: Any, done: MatchingRound
) -> None:
    text = client_for(personas.manager).get(reverse("round_fairness", args=[done.pk])).content
    page = text.decode()
    assert "Oslo (location): 33% of these mentees were matched, against 100% of the others." in page
    assert "no mentor may take under the hard rules" in page
    assert 'value="gender"' not in page


def test_only_staff_who_may_see_sensitive_attributes_break_down_by_gender(
    client_for: Any, personas: Any, done: MatchingRound
) -> None:
    url = reverse("round_fairness", args=[done.pk]) + "?by=gender"
    refused = client_for(personas.manager).get(url).content.decode()
    assert "gender is not a breakdown you may choose." in refused
    assert "By gender" not in refused
    Membership.objects.filter(user=personas.manager).update(sees_sensitive_attributes=True)
    allowed = client_for(personas.manager).get(url).content.decode()
    assert "By gender" in allowed and "By location" not in allowed


def test_the_review_links_to_the_fairness_report(
    client_for: Any, personas: Any, done: MatchingRound
) -> None:
    page = client_for(personas.manager).get(reverse("round_detail", args=[done.pk]))
    assert reverse("round_fairness", args=[done.pk]) in page.content.decode()


def test_the_order_check_finds_the_same_total_score_in_a_shuffled_order(
    done: MatchingRound,
) -> None:
    assert done.order_check == {"status": "queued"}
    outcome = fairness.round_order_check_run(round_id=done.pk)
    done.refresh_from_db()
    assert done.order_check == outcome
    assert outcome["status"] == "done" and outcome["same_objective"] is True
    assert outcome["objective"] == pytest.approx(done.report["objective"])
    assert outcome["reproduces"] is True
    assert outcome["matched"] == done.proposals.count() == 9


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_order_check_after_the_round(run_worker: Any) -> None:
    from conftest import make_personas

    personas = make_personas()
    programme = _cohort(personas)
    rounds.round_start(programme=programme, actor=personas.manager)
    run_worker()
    matching_round = MatchingRound.objects.get(programme=programme)
    assert matching_round.status == RoundStatus.DONE
    assert matching_round.order_check["status"] == "done"
    assert matching_round.order_check["same_objective"] is True


def test_the_pdf_carries_the_report(client_for: Any, personas: Any, done: MatchingRound) -> None:
    fairness.round_order_check_run(round_id=done.pk)
    response = client_for(personas.manager).get(reverse("round_fairness_pdf", args=[done.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        (page.extract_text() or "") for page in PdfReader(io.BytesIO(response.content)).pages
    )
    text = " ".join(text.split())
    assert "Fairness of round 1: Leaders 2027" in text
    assert "Oslo (location): 33% of these mentees were matched" in text
    assert "the same total score" in text


def test_the_xlsx_carries_the_same_figures(
    client_for: Any, personas: Any, done: MatchingRound
) -> None:
    fairness.round_order_check_run(round_id=done.pk)
    response = client_for(personas.manager).get(
        reverse("round_fairness_xlsx", args=[done.pk]) + "?by=location"
    )
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook["Groups"].iter_rows(values_only=True))
    by_group = {row[1]: row for row in rows[1:] if row and row[0] == "Location"}
    assert by_group["Aarhus"][2:5] == (7, 7, 1.0)
    assert by_group["Oslo"][2:4] == (6, 2)
    assert rows[1][:4] == ("All mentees", None, 13, 9)
    check = {row[0]: row[1] for row in workbook["Order check"].iter_rows(values_only=True) if row}
    assert check["Status"] == "Done"
    assert check["Same total score (ties aside)"] is True
    assert check["Pairs that differ"] is not None
    findings = [row[0] for row in workbook["Findings"].iter_rows(values_only=True) if row]
    assert any(str(f).startswith("Oslo (location)") for f in findings)


def test_a_suggestion_round_has_its_report_once_choices_are_settled(
    client_for: Any, personas: Any
) -> None:
    programme = _cohort(personas)
    programme.influence_mode = "mentee_chooses"
    programme.save()
    started = rounds.round_start(programme=programme, actor=personas.manager)
    suggesting = rounds.round_run(round_id=started.pk)
    assert suggesting.order_check == {}
    page = client_for(personas.manager).get(reverse("round_fairness", args=[suggesting.pk]))
    text = page.content.decode()
    assert "once the mentees' choices are settled" in text
    assert "What stands out" not in text
