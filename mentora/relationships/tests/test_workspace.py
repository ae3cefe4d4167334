"""The pair's workspace: agreement, meetings, goals; and what stays confidential."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONAS
from mentora.core.models import AuditEntry
from mentora.relationships.calendar import meeting_ics
from mentora.relationships.models import Meeting, Pair
from mentora.relationships.services import meetings, workspace
from mentora.rounds.services import proposals, rounds

SECRET = "I am thinking of leaving the company"
AGREEMENT = {
    "meeting_frequency": "Every third week",
    "planned_meetings": 8,
    "learning_goals": "Leading without authority",
    "ways_of_working": "Walks and talks",
    "confidentiality": True,
    "not_recruitment": True,
    "end_date": dt.date(2027, 10, 31),
    "after_end": "Stay in touch",
}


@pytest.fixture
def pair(cohort: Any) -> Pair:
    matching_round = rounds.round_run(
        round_id=rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager).pk
    )
    pairs = proposals.round_publish(matching_round=matching_round, actor=cohort.personas.manager)
    return next(p for p in pairs if p.mentee == cohort.junior)


@pytest.fixture
def meeting(cohort: Any, pair: Pair) -> Meeting:
    meeting = meetings.meeting_schedule(
        pair=pair,
        actor=cohort.personas.mentee,
        starts_at=timezone.now() + dt.timedelta(days=2),
        mode="in_person",
        place="Café",
    )
    meetings.meeting_write(
        meeting=meeting, actor=cohort.personas.mentee, part="agenda", text=SECRET
    )
    meetings.meeting_write(
        meeting=meeting, actor=cohort.personas.mentor, part="notes", text=SECRET + " (notes)"
    )
    return meeting


def test_an_agreement_is_versioned_and_signed_by_both(cohort: Any, pair: Pair) -> None:
    first = workspace.agreement_save(pair=pair, actor=cohort.personas.mentee, **AGREEMENT)
    workspace.agreement_sign(agreement=first, actor=cohort.personas.mentee)
    workspace.agreement_sign(agreement=first, actor=cohort.personas.mentor)
    first.refresh_from_db()
    assert first.is_signed
    second = workspace.agreement_save(
        pair=pair, actor=cohort.personas.mentor, **{**AGREEMENT, "planned_meetings": 10}
    )
    assert second.version == 2 and not second.is_signed
    with pytest.raises(ValidationError, match="latest version"):
        workspace.agreement_sign(agreement=first, actor=cohort.personas.mentee)


def test_an_agreement_must_state_confidentiality_and_no_recruitment(
    cohort: Any, pair: Pair
) -> None:
    with pytest.raises(ValidationError):
        workspace.agreement_save(
            pair=pair, actor=cohort.personas.mentee, **{**AGREEMENT, "not_recruitment": False}
        )


def test_only_the_pair_writes_in_the_workspace(cohort: Any, pair: Pair) -> None:
    with pytest.raises(ValidationError):
        workspace.agreement_save(pair=pair, actor=cohort.personas.manager, **AGREEMENT)


def test_the_mentee_owns_the_agenda(cohort: Any, meeting: Meeting) -> None:
    with pytest.raises(ValidationError, match="mentee owns"):
        meetings.meeting_write(
            meeting=meeting, actor=cohort.personas.mentor, part="agenda", text="x"
        )


def test_reflections_belong_to_their_author(client_for: Any, cohort: Any, meeting: Meeting) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    meeting.refresh_from_db()
    meetings.meeting_write(
        meeting=meeting,
        actor=cohort.personas.mentee,
        part="reflection",
        text="My private reflection",
    )
    url = reverse("meeting_detail", args=[meeting.pk])
    assert "My private reflection" in client_for(cohort.personas.mentee).get(url).content.decode()
    assert (
        "My private reflection" not in client_for(cohort.personas.mentor).get(url).content.decode()
    )


def test_a_reflection_waits_until_the_meeting_has_taken_place(
    cohort: Any, meeting: Meeting
) -> None:
    with pytest.raises(ValidationError, match="taken place"):
        meetings.meeting_write(
            meeting=meeting, actor=cohort.personas.mentee, part="reflection", text="Too early"
        )
    meeting.refresh_from_db()
    assert meeting.mentee_reflection == ""


def test_a_meeting_is_rated_once_held(cohort: Any, meeting: Meeting) -> None:
    with pytest.raises(ValidationError, match="taken place"):
        meetings.meeting_rate(meeting=meeting, actor=cohort.personas.mentee, rating=4)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(days=1))
    meeting.refresh_from_db()
    meetings.meeting_rate(meeting=meeting, actor=cohort.personas.mentee, rating=4)
    with pytest.raises(ValidationError):
        meetings.meeting_rate(meeting=meeting, actor=cohort.personas.mentor, rating=6)


def test_the_invitation_parses_and_keeps_the_time_across_a_daylight_saving_change(
    cohort: Any, pair: Pair
) -> None:
    copenhagen = zoneinfo.ZoneInfo("Europe/Copenhagen")
    # 29 March 2027: the day after Denmark moves to summer time (UTC+2).
    starts = dt.datetime(2027, 3, 29, 10, 0, tzinfo=copenhagen)
    meeting = meetings.meeting_schedule(
        pair=pair,
        actor=cohort.personas.mentee,
        starts_at=starts,
        mode="online",
        link="https://meet.example/abc",
    )
    calendar = icalendar.Calendar.from_ical(meeting_ics(meeting))
    [event] = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == dt.datetime(2027, 3, 29, 8, 0, tzinfo=dt.UTC)
    assert start.astimezone(zoneinfo.ZoneInfo("Europe/London")).hour == 9
    assert event.decoded("dtend") - start == dt.timedelta(minutes=60)
    assert str(event["uid"]).startswith(str(meeting.uid))
    assert SECRET not in meeting_ics(meeting).decode()
    # A week earlier, still winter time, the same wall-clock time is an hour later in UTC.
    moved = meetings.meeting_move(
        meeting=meeting,
        actor=cohort.personas.mentor,
        starts_at=dt.datetime(2027, 3, 22, 10, 0, tzinfo=copenhagen),
    )
    [event] = icalendar.Calendar.from_ical(meeting_ics(moved)).walk("VEVENT")
    assert event.decoded("dtstart") == dt.datetime(2027, 3, 22, 9, 0, tzinfo=dt.UTC)
    assert event["sequence"] == 1


def test_both_get_the_invitation_in_their_language_and_time_zone(
    cohort: Any, pair: Pair, smtp_sink: Any
) -> None:
    from mentora.relationships.tasks import send_meeting_invitation

    cohort.personas.mentor.language = "da"
    cohort.personas.mentor.time_zone = "Europe/London"
    cohort.personas.mentor.save()
    starts = dt.datetime(2027, 3, 29, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Copenhagen"))
    meeting = meetings.meeting_schedule(
        pair=pair, actor=cohort.personas.mentee, starts_at=starts, place="Room 4"
    )
    meetings.meeting_write(
        meeting=meeting, actor=cohort.personas.mentee, part="agenda", text=SECRET
    )
    assert send_meeting_invitation.call(meeting.pk) == 2
    messages = {m["To"]: m for m in smtp_sink.wait_for(2)}
    mentor_mail = messages["mentor@test.example"]
    body = mentor_mail.get_body(("plain",)).get_content()
    assert "09:00" in body and "Europe/London" in body
    assert "Mentormøde" in mentor_mail["Subject"] or "møde" in mentor_mail["Subject"].lower()
    attachment = next(mentor_mail.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    for message in messages.values():
        assert SECRET not in message.as_string()


def test_agenda_reminders_go_to_mentees_without_an_agenda_once(cohort: Any, pair: Pair) -> None:
    meetings.meeting_schedule(
        pair=pair, actor=cohort.personas.mentee, starts_at=timezone.now() + dt.timedelta(days=2)
    )
    assert meetings.agenda_reminders() == 1
    assert meetings.agenda_reminders() == 0


def test_goals_show_progress_to_the_line_manager_but_never_the_notes(
    client_for: Any, cohort: Any, pair: Pair, meeting: Meeting
) -> None:
    goal = workspace.goal_add(pair=pair, actor=cohort.personas.mentee, theme="Negotiation")
    workspace.goal_update(goal=goal, actor=cohort.personas.mentor, progress=40)
    page = client_for(cohort.personas.line_manager).get(reverse("team_goals")).content.decode()
    assert "Negotiation" in page and "40%" in page
    assert SECRET not in page


def test_the_audit_log_records_that_notes_changed_but_not_what_they_say(
    cohort: Any, meeting: Meeting
) -> None:
    entries = AuditEntry.objects.filter(action__startswith="relationships.meeting")
    assert {"relationships.meeting.agenda", "relationships.meeting.notes"} <= set(
        entries.values_list("action", flat=True)
    )
    assert all(SECRET not in str(e.changes) for e in AuditEntry.objects.all())


# The pair's own space: everyone else is kept out, managers included.
INSIDE = {
    "mentee": 200,
    "mentor": 200,
    "outsider": 404,
    **dict.fromkeys(["admin", "org_admin", "manager", "sponsor", "line_manager"], 403),
}


@pytest.mark.parametrize("who", PERSONAS)
def test_only_the_pair_sees_its_workspace_and_meetings(
    client_for: Any, cohort: Any, meeting: Meeting, who: str
) -> None:
    client = client_for(getattr(cohort.personas, who))
    for url in (
        reverse("pair_workspace", args=[meeting.pair_id]),
        reverse("meeting_detail", args=[meeting.pk]),
        reverse("meeting_ics", args=[meeting.pk]),
    ):
        response = client.get(url)
        assert response.status_code == INSIDE[who], url
        if INSIDE[who] != 200:
            assert SECRET not in response.content.decode()


@pytest.mark.parametrize("who", PERSONAS)
def test_only_the_pair_writes_through_the_workspace_endpoints(
    client_for: Any, cohort: Any, meeting: Meeting, who: str
) -> None:
    client = client_for(getattr(cohort.personas, who))
    pair_id = meeting.pair_id
    goal = workspace.goal_add(pair=meeting.pair, actor=cohort.personas.mentee, theme="T")
    posts = [
        (
            reverse("agreement_save", args=[pair_id]),
            {**AGREEMENT, "end_date": "2027-10-31", "submission": uuid.uuid4()},
        ),
        (
            reverse("meeting_schedule", args=[pair_id]),
            {
                "date": "2027-05-01",
                "time": "10:00",
                "duration_minutes": 60,
                "mode": "in_person",
                "submission": uuid.uuid4(),
            },
        ),
        (reverse("goal_add", args=[pair_id]), {"theme": "New", "submission": uuid.uuid4()}),
        (reverse("goal_update", args=[goal.pk]), {"progress": 50}),
        (reverse("meeting_detail", args=[meeting.pk]), {"action": "notes", "text": "x"}),
    ]
    for url, data in posts:
        status = client.post(url, data).status_code
        assert status == (302 if INSIDE[who] == 200 else INSIDE[who]), url
    meeting.refresh_from_db()
    assert (meeting.notes == "x") == (INSIDE[who] == 200)


def test_the_programme_pages_never_show_what_the_pair_wrote(
    client_for: Any, cohort: Any, meeting: Meeting
) -> None:
    for who in ("manager", "sponsor", "org_admin", "admin"):
        client = client_for(getattr(cohort.personas, who))
        for url in (
            reverse("programme_pairs", args=[cohort.programme.pk]),
            reverse("round_list", args=[cohort.programme.pk]),
        ):
            response = client.get(url)
            assert SECRET not in response.content.decode()


def test_django_admin_does_not_show_meeting_texts(
    client_for: Any, cohort: Any, meeting: Meeting
) -> None:
    client = client_for(cohort.personas.admin)
    response = client.get("/admin/relationships/meeting/")
    assert response.status_code in (200, 404)
    assert SECRET not in response.content.decode()
    detail = client.get(f"/admin/relationships/meeting/{meeting.pk}/change/")
    assert SECRET not in detail.content.decode()
