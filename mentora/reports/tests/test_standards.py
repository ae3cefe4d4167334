"""The standards evidence pack: scoring on built programmes, the award levels, who may read
it, the page and the PDF in both languages, and no private text anywhere in it."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from conftest import READERS, make_person
from mentora.accounts.models import Membership, User
from mentora.events.models import Attendance, Event
from mentora.programmes.models import (
    GoalMeasure,
    LineManagerDecision,
    Participant,
    Programme,
    ScreeningOutcome,
)
from mentora.programmes.services import design, questionnaire
from mentora.programmes.services.goals import goal_add
from mentora.relationships.models import (
    Agreement,
    Closure,
    Feedback,
    FeedbackMoment,
    FollowUp,
    Goal,
    Meeting,
    Pair,
    Story,
)
from mentora.reports.standards import LEVELS, assess
from mentora.reports.standards.model import (
    MET,
    NOT_MET,
    PARTLY,
    Assessment,
    Criterion,
    Standard,
    percent,
)
from mentora.surveys.models import Instrument, Invitation, Response, Survey, pseudonymous_key

PAIRS = 6
STANDARD_TITLES = [
    "Clarity of purpose",
    "Stakeholder training and briefing",
    "Selection and matching",
    "Measurement and review",
    "Ethics",
    "Administration and support",
]


def _statuses(assessment: Assessment) -> dict[str, str]:
    return {c.code: c.status for s in assessment.standards for c in s.criteria}


def _standard(assessment: Assessment, code: str) -> Standard:
    return next(s for s in assessment.standards if s.code == code)


# --- built programmes ------------------------------------------------------------------------


def empty_programme(personas: Any) -> Programme:
    return design.programme_create(
        organisation=personas.organisation, actor=personas.manager, name="Nothing yet"
    )


@dataclass
class WellRun:
    programme: Programme
    pairs: list[Pair]
    surveys: dict[str, Survey]


def _participant(personas: Any, programme: Programme, role: str, i: int) -> Participant:
    email = f"{role}-{i}@standards.example"
    user = User.objects.create_user(email=email, password="pw", full_name=f"{role} {i}")
    Membership.objects.create(user=user, organisation=personas.organisation, role=role)
    person = make_person(
        personas.organisation,
        f"S-{role}-{i}",
        role,
        str(i),
        level=2 if role == "mentee" else 7,
        hire_date=dt.date(2020, 1, 1),
        # Mentees report to the line-manager persona, who approved each of them.
        manager=personas.people["lead"] if role == "mentee" else None,
        user=user,
    )
    return Participant.objects.create(
        programme=programme,
        person=person,
        user=user,
        role=role,
        status="completed",
        screening_at=timezone.now() - dt.timedelta(days=420) if role == "mentor" else None,
        screening_outcome=ScreeningOutcome.PASSED if role == "mentor" else "",
        line_manager_decision=LineManagerDecision.APPROVED if role == "mentee" else "",
    )


def _survey(
    programme: Programme, wave: str, opens: dt.datetime, people: list[Participant]
) -> Survey:
    instrument = Instrument.objects.get(source="builtin", slug=f"mentora-{wave}")
    survey = Survey.objects.create(
        programme=programme,
        instrument=instrument,
        wave=wave,
        roles=["mentee", "mentor"],
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=14),
        sent_at=opens,
    )
    for n, participant in enumerate(people):
        assert participant.user is not None
        answered = n % 6 != 5  # ten of twelve answer
        Invitation.objects.create(
            survey=survey,
            user=participant.user,
            person=participant.person,
            participant=participant,
            role=participant.role,
            sent_at=opens,
            answered_at=opens + dt.timedelta(days=1) if answered else None,
        )
        if answered:
            Response.objects.create(
                survey=survey,
                key=pseudonymous_key(programme.pk, participant.person_id),
                role=participant.role,
            )
    return survey


def well_run_programme(personas: Any, *, marker: str = "") -> WellRun:
    """A programme that has done everything the standard asks, over a full cycle.

    `marker` goes into every private text the pairs and the team write."""
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=400), today - dt.timedelta(days=60)
    manager = personas.manager
    programme = design.programme_create(
        organisation=personas.organisation,
        actor=manager,
        name="Graduates who stay",
        purpose="Keep the graduates we hire and help them find their feet.",
        start_date=start,
        end_date=end,
        influence_mode="mutual_opt_in",
    )
    goal_add(
        programme=programme,
        actor=manager,
        text="85% still with us after two years",
        measure=GoalMeasure.RETENTION,
        target=Decimal(85),
        horizon_months=24,
        primary=True,
    )
    goal_add(
        programme=programme,
        actor=manager,
        text="Every mentee meets their mentor eight times",
        measure=GoalMeasure.PAIRS_MET,
        target=Decimal(100),
        min_meetings=8,
    )
    programme.sponsors.add(personas.sponsor)
    for role, text, kind, maps_to in (
        ("mentee", "What do you want to learn?", "ranked_themes", "themes"),
        ("mentee", "Your goals", "long_text", "goals"),
        ("mentee", "Who would you like as a mentor?", "preferred_mentors", "preferences"),
        ("mentor", "Whom would you rather not mentor?", "short_text", "exclusions"),
        ("mentor", "Hours a month you can give", "short_text", "availability"),
    ):
        questionnaire.question_add(
            programme=programme,
            role=role,
            text=text,
            kind=kind,
            choices=["Leadership", "Networking"] if kind == "ranked_themes" else [],
            maps_to=maps_to,
            actor=manager,
        )
    for kind, day in (
        ("kickoff", start),
        ("training", start + dt.timedelta(days=14)),
        ("midway", start + dt.timedelta(days=170)),
        ("evaluation", end - dt.timedelta(days=14)),
        ("closing", end),
    ):
        questionnaire.touchpoint_add(programme=programme, kind=kind, date=day, actor=manager)
    moment = lambda day: dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)  # noqa: E731
    preparation = Event.objects.create(
        programme=programme, title="Preparation", starts_at=moment(start - dt.timedelta(days=10))
    )
    Event.objects.create(
        programme=programme,
        kind="master_class",
        title="Feedback that lands",
        starts_at=moment(start + dt.timedelta(days=150)),
    )
    mentees = [_participant(personas, programme, "mentee", i) for i in range(PAIRS)]
    mentors = [_participant(personas, programme, "mentor", i) for i in range(PAIRS)]
    for participant in mentees + mentors:
        Attendance.objects.create(event=preparation, participant=participant)
    feedback_moment = FeedbackMoment.objects.create(
        programme=programme, title="Midway", opens_on=start + dt.timedelta(days=170)
    )
    pairs = []
    for i, (mentee, mentor) in enumerate(zip(mentees, mentors, strict=True)):
        pair = Pair.objects.create(
            programme=programme,
            mentee=mentee,
            mentor=mentor,
            score=0.8,
            explanation="Shared themes: leadership.",
            started_at=moment(start + dt.timedelta(days=10)),
            ended_at=moment(end),
            end_reason=f"{marker} end reason",
        )
        first = moment(start + dt.timedelta(days=20))
        Agreement.objects.create(
            pair=pair,
            version=1,
            meeting_frequency="Monthly",
            planned_meetings=10,
            learning_goals=f"{marker} learning goals",
            ways_of_working=f"{marker} ways of working",
            confidentiality=True,
            not_recruitment=True,
            end_date=end,
            after_end=f"{marker} after the end",
            mentee_signed_at=first,
            mentor_signed_at=first,
        )
        for month in range(8):
            Meeting.objects.create(
                pair=pair,
                starts_at=first + dt.timedelta(days=30 * month),
                mode="in_person",
                agenda=f"{marker} agenda",
                notes=f"{marker} notes",
                follow_up=f"{marker} homework",
                mentee_reflection=f"{marker} mentee reflection",
                mentee_rating=4,
                mentor_rating=5,
            )
        Goal.objects.create(
            pair=pair, theme="Networking", description=f"{marker} success", progress=100
        )
        FollowUp.objects.create(
            pair=pair, manager=manager, held_on=start + dt.timedelta(days=90), note=f"{marker} note"
        )
        Feedback.objects.create(
            pair=pair,
            moment=feedback_moment,
            direction="mentee_to_mentor",
            author=mentee.user,
            text=f"{marker} feedback",
        )
        Closure.objects.create(
            pair=pair,
            mentee_reflection=f"{marker} closing reflection",
            mentor_reflection=f"{marker} closing reflection",
            mentee_continuation="stay_in_touch",
            mentor_continuation="stay_in_touch",
            mentee_thanks=f"{marker} thanks",
            mentor_thanks=f"{marker} thanks",
            mentee_done_at=moment(end),
            mentor_done_at=moment(end),
        )
        Story.objects.create(
            pair=pair,
            author=mentee.user,
            title=f"{marker} story title" if i else "How I found my feet",
            text=f"{marker} story text",
            consent=True,
            status="approved" if i == 0 else "pending",
        )
        pairs.append(pair)
    people = mentees + mentors
    surveys = {
        wave: _survey(programme, wave, moment(day), people)
        for wave, day in (
            ("start", start + dt.timedelta(days=5)),
            ("midway", start + dt.timedelta(days=170)),
            ("end", end - dt.timedelta(days=28)),
        )
    }
    return WellRun(programme, pairs, surveys)


@pytest.fixture
def well_run(personas: Any) -> WellRun:
    return well_run_programme(personas)


# --- scoring ---------------------------------------------------------------------------------


def test_an_empty_programme_scores_low_with_the_gaps_it_has(personas: Any) -> None:
    assessment = assess(empty_programme(personas))
    statuses = _statuses(assessment)
    # Nothing about the programme is written down yet.
    for code in ("need", "sponsor", "own_goals", "needs", "evaluation_planned", "plan"):
        assert statuses[code] == NOT_MET, code
    # Its creator runs it, and the default matching policy weighs criteria nobody feeds yet.
    assert statuses["manager"] == MET
    assert statuses["criteria"] == PARTLY
    # Only the rules Mentora keeps for every programme hold in ethics: 2 of its 6 weights.
    assert _standard(assessment, "ethics").score == Fraction(2, 6)
    assert _standard(assessment, "purpose").score == 0
    assert _standard(assessment, "training").score == 0
    assert assessment.percent < 20
    assert assessment.level is None
    assert assessment.provisional
    assert assessment.cycle_note == "The programme has no start and end dates yet."
    sponsor = next(c for s in assessment.standards for c in s.criteria if c.code == "sponsor")
    assert sponsor.gap == "Name a sponsor from top management who backs the programme."
    assert sponsor.evidence == ["0 sponsors named."]


def test_a_well_run_programme_reaches_gold(well_run: WellRun) -> None:
    assessment = assess(well_run.programme)
    unmet = {code: status for code, status in _statuses(assessment).items() if status != MET}
    assert unmet == {}
    assert [s.score for s in assessment.standards] == [1] * 6
    assert assessment.level is not None and assessment.level.code == "gold"
    assert not assessment.provisional
    assert assessment.next_level is None


def test_a_missing_standard_fails_its_minimum_even_with_a_high_overall(well_run: WellRun) -> None:
    Agreement.objects.filter(pair__programme=well_run.programme).delete()
    assessment = assess(well_run.programme)
    ethics = _standard(assessment, "ethics")
    # Without agreements only the two rule-based criteria (weights 1 + 1 of 6) hold.
    assert ethics.score == Fraction(1, 3)
    assert assessment.overall == (5 + Fraction(1, 3)) / 6
    bronze = LEVELS[-1]
    assert assessment.overall >= bronze.overall
    assert assessment.level is None
    assert assessment.next_level == bronze
    assert assessment.holding_back == [ethics]


def test_a_share_below_four_in_five_is_partly_met(well_run: WellRun) -> None:
    # Two of six pairs were never followed up: 4/6 is under 4/5 and over 1/2.
    FollowUp.objects.filter(pair__in=well_run.pairs[:2]).delete()
    criterion = next(
        c
        for c in _standard(assess(well_run.programme), "administration").criteria
        if c.code == "follow_up"
    )
    assert criterion.status == PARTLY
    assert criterion.evidence == ["4 of 6 pairs have had a check-in with the programme manager."]


def test_the_closing_counts_only_when_both_agree_on_what_comes_next(well_run: WellRun) -> None:
    Closure.objects.filter(pair__in=well_run.pairs[:4]).update(mentor_continuation="clean_end")
    closure = next(
        c
        for c in _standard(assess(well_run.programme), "administration").criteria
        if c.code == "closure"
    )
    assert closure.status == NOT_MET  # 2 of 6 agreed
    assert closure.evidence[1] == "2 agreed together what happens next."


def test_a_match_ended_early_counts_as_unwound_once_the_mentee_is_matched_again(
    well_run: WellRun,
) -> None:
    first = well_run.pairs[0]
    Closure.objects.filter(pair=first).delete()
    Pair.objects.filter(pk=first.pk).update(ended_at=first.started_at + dt.timedelta(days=40))
    Participant.objects.filter(pk=first.mentee_id).update(status="matched")

    def unwinding() -> Criterion:
        standard = _standard(assess(well_run.programme), "matching")
        return next(c for c in standard.criteria if c.code == "unwinding")

    # The mentee was left with no new match and no way back into the pool.
    assert unwinding().status == NOT_MET
    Pair.objects.create(
        programme=well_run.programme,
        mentee=first.mentee,
        mentor=well_run.pairs[1].mentor,
        started_at=first.started_at + dt.timedelta(days=50),
        ended_at=first.ended_at,
    )
    assert unwinding().status == MET
    assert "1 match ended early. Since then: 1 matched again" in unwinding().evidence[0]


def test_survey_counts_under_the_threshold_are_never_shown(well_run: WellRun) -> None:
    end = well_run.surveys["end"]
    Response.objects.filter(survey=end).exclude(
        pk__in=Response.objects.filter(survey=end).values("pk")[:4]
    ).delete()
    # A survey still open is counted only once it closes.
    Survey.objects.filter(pk=well_run.surveys["midway"].pk).update(
        closes_at=timezone.now() + dt.timedelta(days=3)
    )
    response = next(
        c
        for c in _standard(assess(well_run.programme), "measurement").criteria
        if c.code == "response"
    )
    text = " ".join(response.evidence)
    assert "fewer than 5 answered, no result." in text
    assert "4 of 12" not in text
    assert "open until" in text
    assert "10 of 12 invited answered" in text  # the start survey
    # Only the start survey's answers count: 10 of the 24 invited to closed surveys.
    assert response.evidence[-1] == "Altogether 41 % of those invited answered."
    assert response.status == PARTLY


def test_a_level_is_provisional_until_a_full_twelve_month_cycle(well_run: WellRun) -> None:
    programme = well_run.programme
    today = timezone.localdate()
    programme.start_date, programme.end_date = today - dt.timedelta(days=200), today
    programme.save()
    assessment = assess(programme)
    assert assessment.provisional
    assert "its cycle is not complete yet" in assessment.cycle_note
    programme.end_date = today - dt.timedelta(days=1)
    programme.save()
    assessment = assess(programme)
    assert assessment.provisional
    assert assessment.cycle_note.startswith("Twelve months from the start are reached on")


def test_a_level_is_reached_exactly_at_its_thresholds() -> None:
    def standard(met: int, not_met: int) -> Standard:
        criteria = [Criterion("a", "A", met, MET, []), Criterion("b", "B", not_met, NOT_MET, [])]
        return Standard(1, "s", "S", "", criteria)

    # 3/5 in one standard and 18/25 in five: a mean of exactly 7/10, the Bronze line.
    standards = [standard(3, 2)] + [standard(18, 7) for _ in range(5)]
    at_the_line = Assessment(None, standards, dt.date.today(), True, "")  # type: ignore[arg-type]
    assert at_the_line.overall == Fraction(7, 10)
    assert at_the_line.level == LEVELS[-1]
    assert at_the_line.percent == 70
    # One weight in 1,000 less in the weakest standard: under the line, shown as 69 %.
    standards[1] = standard(18 * 40 - 1, 7 * 40 + 1)
    below = Assessment(None, standards, dt.date.today(), True, "")  # type: ignore[arg-type]
    assert below.level is None
    assert below.percent == 69
    assert percent(Fraction(699, 1000)) == 69


# --- the page and the PDF --------------------------------------------------------------------


def test_who_may_read_the_evidence_pack(well_run: WellRun, personas: Any, client_for: Any) -> None:
    pk = well_run.programme.pk
    expected = READERS
    for name, user in personas.all().items():
        response = client_for(user).get(f"/programmes/{pk}/standards/")
        assert response.status_code == expected[name], name
    for name in ("outsider", "mentee", "sponsor"):
        response = client_for(getattr(personas, name)).get(f"/programmes/{pk}/standards.pdf")
        assert response.status_code == expected[name], name
    anonymous = client_for(None).get(f"/programmes/{pk}/standards/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_for(personas.manager).get("/programmes/999999/standards/").status_code == 404


def test_the_page_shows_the_result_and_links_only_to_pages_the_reader_may_open(
    well_run: WellRun, personas: Any, client_for: Any
) -> None:
    pk = well_run.programme.pk
    manager_page = client_for(personas.manager).get(f"/programmes/{pk}/standards/")
    text = manager_page.content.decode()
    assert "100 % overall" in text and "the evidence reaches Gold" in text
    for title in STANDARD_TITLES:
        assert title in text
    assert f"/programmes/{pk}/pair-health/" in text
    sponsor_page = client_for(personas.sponsor).get(f"/programmes/{pk}/standards/").content
    assert f"/programmes/{pk}/pair-health/".encode() not in sponsor_page
    assert f"/programmes/{pk}/health/".encode() in sponsor_page


def test_the_programme_and_its_report_link_to_the_pack(
    well_run: WellRun, personas: Any, client_for: Any
) -> None:
    pk = well_run.programme.pk
    client = client_for(personas.sponsor)
    for page in (f"/programmes/{pk}/", f"/programmes/{pk}/report/"):
        assert f'href="/programmes/{pk}/standards/"'.encode() in client.get(page).content, page


def test_the_pdf_holds_the_six_standards_and_the_level(
    well_run: WellRun, personas: Any, client_for: Any
) -> None:
    response = client_for(personas.sponsor).get(
        f"/programmes/{well_run.programme.pk}/standards.pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    ).replace("\n", " ")
    for title in STANDARD_TITLES:
        assert title in text
    assert "the evidence reaches Gold" in text
    assert "not an accreditation" in text


def test_the_pack_reads_in_danish(well_run: WellRun, personas: Any, client_for: Any) -> None:
    manager = personas.manager
    manager.language = "da"
    manager.save()
    pk = well_run.programme.pk
    page = client_for(manager).get(f"/programmes/{pk}/standards/").content.decode()
    for title in ("Klarhed om formål", "Etik", "Administration og støtte", "Guld"):
        assert title in page
    assert "Clarity of purpose" not in page
    pdf = client_for(manager).get(f"/programmes/{pk}/standards.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Måling og evaluering" in text.replace("\n", " ")


def test_no_private_text_reaches_the_pack(personas: Any, client_for: Any) -> None:
    marker = "PRIVATE-7f3a"
    well_run = well_run_programme(personas, marker=marker)
    pk = well_run.programme.pk
    for user in (personas.manager, personas.sponsor, personas.admin):
        client = client_for(user)
        page = client.get(f"/programmes/{pk}/standards/").content.decode()
        assert marker not in page
        pdf = client.get(f"/programmes/{pk}/standards.pdf").content
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert marker not in text
    # ... while the pack still counts what the texts belong to.
    assert "6 of 6 pairs have both signed their latest agreement." in page


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_programmes_get_different_believable_results(db: None) -> None:
    from mentora.demo.seed import seed_demo

    organisation = seed_demo(people=200).organisation

    def assessed(title: str) -> Assessment:
        return assess(Programme.objects.get(organisation=organisation, name__startswith=title))

    upcoming = assessed("Nordic leadership exchange")
    running = assessed("Graduate onboarding")
    finished = assessed("Graduate programme")
    # Only the programme that ended over a year ago has completed a cycle.
    assert upcoming.provisional and running.provisional and not finished.provisional
    # The exchange has not started: no pairs, no surveys, so it scores lowest.
    assert upcoming.overall < running.overall and upcoming.overall < finished.overall
    # The running programme has pairs at work but has surveyed nobody yet.
    assert running.level is None
    assert _standard(running, "measurement") in running.holding_back
    # The finished one reaches a level, short of what the demo never recorded for it.
    assert finished.level is not None
    statuses = _statuses(finished)
    assert statuses["follow_up"] == NOT_MET and statuses["closure"] == NOT_MET
    assert statuses["response"] == MET and statuses["agreements"] == MET
    profiles = {tuple(s.percent for s in a.standards) for a in (upcoming, running, finished)}
    assert len(profiles) == 3
