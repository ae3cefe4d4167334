"""The dashboard's work for mentors, mentees and line managers: what each sees, what they
never see, and that it costs the same few queries however many pairs there are."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import log_in, make_person
from mentora.events.models import Event, EventRegistration, RegistrationStatus
from mentora.programmes.models import LineManagerDecision, Participant, Touchpoint
from mentora.programmes.services import design
from mentora.relationships.models import Goal, Meeting, Pair
from mentora.relationships.services import meetings, workspace
from mentora.rounds.models import MatchingRound, RoundStatus, Suggestion
from mentora.rounds.services import proposals, rounds
from mentora.rounds.tests.conftest import cohort  # noqa: F401
from mentora.surveys.models import Instrument, Invitation, Survey
from tests.pages import PHONE, problems_on

AGENDA = "I want to talk about leaving the company"
NOTES = "Mo's private notes of the meeting"
OTHER_AGENDA = "Eva's worries about her sales targets"
AGREEMENT = {
    "meeting_frequency": "every third week",
    "planned_meetings": 8,
    "learning_goals": "Leading without authority, privately",
    "ways_of_working": "Walks and talks",
    "confidentiality": True,
    "not_recruitment": True,
    "end_date": dt.date(2027, 10, 31),
}


def _publish(cohort: Any) -> list[Pair]:
    matching_round = rounds.round_run(
        round_id=rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager).pk
    )
    return proposals.round_publish(matching_round=matching_round, actor=cohort.personas.manager)


@pytest.fixture
def pairs(cohort: Any) -> dict[str, Pair]:
    """Jo (the mentee persona) with Mo (the mentor persona), and Eva with Tina: each pair
    with a meeting, an agenda, a learning theme and an agreement."""
    published = _publish(cohort)
    ours = next(p for p in published if p.mentee == cohort.junior)
    theirs = next(p for p in published if p.mentee == cohort.eva)
    mentee, mentor = cohort.personas.mentee, cohort.personas.mentor
    meeting = meetings.meeting_schedule(
        pair=ours,
        actor=mentee,
        starts_at=timezone.now() + dt.timedelta(days=3),
        mode="in_person",
        place="The canteen",
    )
    meetings.meeting_write(meeting=meeting, actor=mentee, part="agenda", text=AGENDA)
    meetings.meeting_write(meeting=meeting, actor=mentor, part="notes", text=NOTES)
    goal = workspace.goal_add(pair=ours, actor=mentee, theme="Leading without authority")
    workspace.goal_update(goal=goal, actor=mentee, progress=40)
    workspace.agreement_save(pair=ours, actor=mentee, **AGREEMENT)

    Goal.objects.create(pair=theirs, theme="Closing big deals", progress=70)
    Meeting.objects.create(
        pair=theirs,
        starts_at=timezone.now() + dt.timedelta(days=5),
        mode="online",
        agenda=OTHER_AGENDA,
    )
    return {"ours": ours, "theirs": theirs}


def _dashboard(client_for: Any, user: Any) -> str:
    response = client_for(user).get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _shows(page: str, *texts: str) -> None:
    """The page shows every one of `texts`; a failure names all it lacks."""
    missing = [text for text in texts if text not in page]
    assert missing == [], f"not on the page: {missing}"


def _hides(page: str, *texts: str) -> None:
    """The page shows none of `texts`; a failure names all it shows."""
    shown = [text for text in texts if text in page]
    assert shown == [], f"on the page: {shown}"


def test_a_mentee_sees_their_mentor_next_meeting_agreement_themes_and_toolbox(
    cohort: Any, pairs: dict[str, Pair], client_for: Any
) -> None:
    page = _dashboard(client_for, cohort.personas.mentee)
    _shows(
        page,
        "Your mentor",
        "Mo Mentor",
        # The chip says who the partner is: organisation and unit.
        "Acme Energy · Field",
        reverse("pair_workspace", args=[pairs["ours"].pk]),
        "The canteen",
        # Their own pair's agenda is theirs to read.
        AGENDA,
        "Draft: not yet signed by both",
        "Read and sign it",
        "You agreed to meet every third week: 0 of 8 meetings held.",
        "Leading without authority",
        "40% of the way",
        'value="40"',
        # The programme has not started yet: the toolbox for getting started.
        "Toolbox for where you are: Questions for getting started",
        "From the toolbox: Agenda for the first meeting",
    )
    # The mentor's notes are not on the page.
    assert NOTES not in page


def test_the_agreement_reads_agreed_once_both_sign(
    cohort: Any, pairs: dict[str, Pair], client_for: Any
) -> None:
    agreement = pairs["ours"].latest_agreement()
    assert agreement is not None
    workspace.agreement_sign(agreement=agreement, actor=cohort.personas.mentee)
    workspace.agreement_sign(agreement=agreement, actor=cohort.personas.mentor)
    page = _dashboard(client_for, cohort.personas.mentor)
    assert "Agreed by both" in page
    assert "Read and sign it" not in page


def test_a_mentor_sees_their_mentee_and_never_another_pairs_data(
    cohort: Any, pairs: dict[str, Pair], client_for: Any
) -> None:
    page = _dashboard(client_for, cohort.personas.mentor)
    _shows(
        page,
        "Your mentee",
        "Jo Junior",
        reverse("pair_workspace", args=[pairs["ours"].pk]),
        "Leading without authority",
        # The mentor is waiting for the agenda only when there is none: here it has come.
        AGENDA,
    )
    # Eva and Tina's pair is not the mentor's business.
    _hides(
        page,
        reverse("pair_workspace", args=[pairs["theirs"].pk]),
        "Closing big deals",
        "Eva Extra",
        OTHER_AGENDA,
    )


def test_a_pair_without_agreement_meeting_or_themes_is_told_what_to_do(
    cohort: Any, client_for: Any
) -> None:
    _publish(cohort)
    page = _dashboard(client_for, cohort.personas.mentor)
    _shows(
        page,
        "No meeting planned.",
        "Plan the next meeting",
        "None yet",
        "Write your agreement together",
        "No learning themes yet",
        "0 meetings held so far.",
    )


def test_a_line_manager_sees_approvals_and_their_reports_themes_never_the_pairs_texts(
    cohort: Any, pairs: dict[str, Pair], client_for: Any
) -> None:
    personas = cohort.personas
    other = design.programme_create(
        organisation=personas.organisation, actor=personas.manager, name="Leaders 2027"
    )
    Participant.objects.create(
        programme=other,
        person=personas.people["junior"],
        user=personas.mentee,
        role="mentee",
        status="needs_line_manager",
        line_manager_decision=LineManagerDecision.PENDING,
    )
    page = _dashboard(client_for, personas.line_manager)
    _shows(
        page,
        "Your team members in mentoring",
        reverse("line_manager_approvals"),
        "Review the approvals",
        '<span class="stat-value">1</span><span class="stat-label">approvals waiting',
        "Jo Junior",
        "Leading without authority",
        "40% of the way",
        reverse("team_goals"),
    )
    _hides(
        page,
        # What the pair says and writes stays between them.
        AGENDA,
        NOTES,
        str(AGREEMENT["learning_goals"]),
        "The canteen",
        reverse("pair_workspace", args=[pairs["ours"].pk]),
        # Eva does not report to the line manager.
        "Closing big deals",
        # Nor is the line manager shown the mentee's own part.
        "Your mentoring now",
    )


def test_a_line_manager_without_reports_in_pairs_is_told_what_comes(
    cohort: Any, client_for: Any
) -> None:
    page = _dashboard(client_for, cohort.personas.line_manager)
    assert "None of your team members is in a mentoring pair right now." in page
    assert "Review the approvals" not in page


@pytest.mark.parametrize("who", ["manager", "sponsor", "org_admin", "outsider", "admin"])
def test_those_outside_the_pair_see_none_of_it(
    cohort: Any, pairs: dict[str, Pair], client_for: Any, who: str
) -> None:
    page = _dashboard(client_for, getattr(cohort.personas, who))
    _hides(
        page,
        AGENDA,
        NOTES,
        OTHER_AGENDA,
        "Leading without authority",
        "Closing big deals",
        "Your mentoring now",
        "Your team members in mentoring",
        reverse("pair_workspace", args=[pairs["ours"].pk]),
    )


def test_the_dashboard_needs_a_login(client_for: Any, db: None) -> None:
    response = client_for(None).get(reverse("dashboard"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_someone_not_matched_yet_sees_where_they_are_and_the_next_step(
    cohort: Any, client_for: Any
) -> None:
    # The cohort's participants are ready to be matched, with no round run yet.
    page = _dashboard(client_for, cohort.personas.mentee)
    assert "Graduates 2027" in page
    assert "Ready to match" in page
    assert "Wait for your match." in page
    Participant.objects.filter(pk=cohort.junior.pk).update(status="invited")
    page = _dashboard(client_for, cohort.personas.mentee)
    assert reverse("participant_apply", args=[cohort.junior.pk]) in page


def test_a_mentee_asked_to_choose_gets_the_link_until_they_have_chosen(
    cohort: Any, client_for: Any
) -> None:
    matching_round = MatchingRound.objects.create(
        programme=cohort.programme, number=1, status=RoundStatus.CHOOSING
    )
    suggestion = Suggestion.objects.create(
        matching_round=matching_round, mentee=cohort.junior, mentor=cohort.mo, rank=1, score=1.0
    )
    page = _dashboard(client_for, cohort.personas.mentee)
    assert "Choose your mentor" in page
    assert reverse("my_matching") in page
    # The mentor is not asked to choose.
    assert "Choose your mentor" not in _dashboard(client_for, cohort.personas.mentor)
    Suggestion.objects.filter(pk=suggestion.pk).update(choice_rank=1)
    assert "Choose your mentor" not in _dashboard(client_for, cohort.personas.mentee)


def test_a_mentor_in_no_programme_is_told_what_to_do_next(personas: Any, client_for: Any) -> None:
    page = _dashboard(client_for, personas.mentor)
    assert "You are not in a mentoring pair yet" in page
    assert reverse("my_programmes") in page
    assert "No events of your programmes in the coming month." in page


def test_this_month_shows_events_touchpoints_and_open_surveys(
    cohort: Any, pairs: dict[str, Pair], client_for: Any
) -> None:
    now = timezone.now()
    programme = cohort.programme
    booked = Event.objects.create(
        programme=programme, title="Master class: feedback", starts_at=now + dt.timedelta(days=9)
    )
    EventRegistration.objects.create(
        event=booked, participant=cohort.junior, status=RegistrationStatus.REGISTERED
    )
    Event.objects.create(
        programme=programme, title="Networking breakfast", starts_at=now + dt.timedelta(days=12)
    )
    Event.objects.create(
        programme=programme, title="Closing ceremony", starts_at=now + dt.timedelta(days=90)
    )
    Touchpoint.objects.create(
        programme=programme,
        kind="midway",
        date=timezone.localdate() + dt.timedelta(days=10),
        title="Midway lunch",
    )
    instrument = Instrument.objects.filter(source="builtin").first()
    assert instrument is not None

    def survey(title_wave: str, opens: dt.datetime, answered: bool = False) -> Survey:
        made = Survey.objects.create(
            programme=programme,
            instrument=instrument,
            wave=title_wave,
            roles=["mentee", "mentor"],
            opens_at=opens,
            closes_at=opens + dt.timedelta(days=14),
        )
        Invitation.objects.create(
            survey=made,
            user=cohort.personas.mentee,
            person=cohort.junior.person,
            participant=cohort.junior,
            role="mentee",
            answered_at=now if answered else None,
        )
        return made

    open_survey = survey("midway", now - dt.timedelta(days=1))
    survey("start", now - dt.timedelta(days=3), answered=True)
    survey("end", now + dt.timedelta(days=3))
    page = _dashboard(client_for, cohort.personas.mentee)
    _shows(
        page,
        "Master class: feedback",
        "You have a place",
        "Networking breakfast",
        "Midway lunch",
        "Surveys open for you",
    )
    assert "Closing ceremony" not in page
    invitation = Invitation.objects.get(survey=open_survey)
    assert reverse("survey_answer", args=[invitation.token]) in page
    assert page.count(reverse("survey_answer", args=["x"]).rstrip("x/")) == 1
    # The mentor was not invited to these surveys.
    assert "Surveys open for you" not in _dashboard(client_for, cohort.personas.mentor)


def _more_pairs(cohort: Any, count: int) -> None:
    """`count` more mentees for the mentor persona, each in a programme of their own, with
    meetings, an agreement and goals."""
    personas = cohort.personas
    for n in range(count):
        programme = design.programme_create(
            organisation=personas.organisation, actor=personas.manager, name=f"Extra {n}"
        )
        mentee = Participant.objects.create(
            programme=programme,
            person=make_person(personas.organisation, f"X{n}", "Extra", f"Mentee{n}"),
            role="mentee",
            status="active",
        )
        mentor = Participant.objects.create(
            programme=programme, person=cohort.mo.person, user=personas.mentor, role="mentor"
        )
        pair = Pair.objects.create(programme=programme, mentee=mentee, mentor=mentor)
        for g in range(3):
            Goal.objects.create(pair=pair, theme=f"Theme {n}.{g}", progress=20 * g)
        meetings.meeting_schedule(
            pair=pair,
            actor=personas.mentor,
            starts_at=timezone.now() + dt.timedelta(days=n + 1),
            mode="in_person",
            place="Room 4",
        )
        workspace.agreement_save(pair=pair, actor=personas.mentor, **AGREEMENT)
        Touchpoint.objects.create(
            programme=programme, kind="midway", date=timezone.localdate() + dt.timedelta(days=n)
        )


def _queries(client_for: Any, user: Any) -> int:
    client = client_for(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dashboard")).status_code == 200
    return len(captured.captured_queries)


def test_more_pairs_goals_and_meetings_cost_no_more_queries(
    cohort: Any, pairs: dict[str, Pair], client_for: Any, django_assert_max_num_queries: Any
) -> None:
    mentor, line_manager = cohort.personas.mentor, cohort.personas.line_manager
    few = _queries(client_for, mentor)
    few_for_line_manager = _queries(client_for, line_manager)
    _more_pairs(cohort, 4)
    for n in range(3):
        Goal.objects.create(pair=pairs["ours"], theme=f"More {n}", progress=10)
    assert "Extra Mentee3" in _dashboard(client_for, mentor)
    assert _queries(client_for, mentor) == few
    assert _queries(client_for, line_manager) == few_for_line_manager
    client = client_for(mentor)
    with django_assert_max_num_queries(few):
        client.get(reverse("dashboard"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_of_each_participant_passes_axe_and_fits_a_phone(
    cohort: Any, pairs: dict[str, Pair], live_server: Any, browser: Any
) -> None:
    _more_pairs(cohort, 2)
    problems = []
    for user in (cohort.personas.mentee, cohort.personas.mentor, cohort.personas.line_manager):
        context = browser.new_context(viewport=PHONE, locale="en-GB")
        page = context.new_page()
        log_in(page, live_server.url, user.email)
        page.goto(live_server.url + reverse("dashboard"))
        assert page.locator(".participant-work").count() >= 1
        problems += [f"{user.email}: {problem}" for problem in problems_on(page, PHONE)]
        context.close()
    assert problems == []
