"""'Did you meet?': asked the day after each meeting, answered in one click in the pair
space or through a signed link that needs no log-in and shows nothing about the pair."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONAS
from mentora.core.models import AuditEntry
from mentora.relationships.checkin_links import checkin_token
from mentora.relationships.health import pair_health
from mentora.relationships.models import CheckIn, Meeting, Pair
from mentora.relationships.services import checkins, meetings
from mentora.relationships.tests.test_workspace import SECRET, pair  # noqa: F401

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def planned(cohort: Any, pair: Pair) -> Meeting:
    """A meeting an hour from now, with a confidential agenda."""
    meeting = meetings.meeting_schedule(
        pair=pair, actor=cohort.personas.mentee, starts_at=timezone.now() + HOUR, place="Café"
    )
    meetings.meeting_write(
        meeting=meeting, actor=cohort.personas.mentee, part="agenda", text=SECRET
    )
    return meeting


def link_for(meeting: Meeting, participant: Any) -> str:
    return reverse("checkin_link", args=[checkin_token(meeting, participant)])


def test_both_are_asked_the_day_after_the_meeting_and_only_once(
    cohort: Any, planned: Meeting, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from mentora.relationships.tasks import send_meeting_checkin

    assert checkins.checkins_due() == 0
    # Noon of the day after the meeting's own day, whatever the hour the test runs at.
    day_after = timezone.localdate(planned.starts_at) + DAY
    noon = timezone.make_aware(dt.datetime.combine(day_after, dt.time(12)))
    with time_machine.travel(noon, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert checkins.checkins_due() == 1
        assert checkins.checkins_due() == 0
        assert DBTaskResult.objects.filter(
            task_path="mentora.relationships.tasks.send_meeting_checkin"
        ).exists()
        assert send_meeting_checkin.call(planned.pk) == 2
    messages = {m["To"]: m for m in smtp_sink.wait_for(2)}
    assert set(messages) == {"mentee@test.example", "mentor@test.example"}
    for message in messages.values():
        body = message.get_body(("plain",)).get_content()
        assert "/check-in/" in body
        assert SECRET not in message.as_string() and "Café" not in message.as_string()
    # Each is sent a link of their own.
    links = {
        next(
            line
            for line in m.get_body(("plain",)).get_content().splitlines()
            if "/check-in/" in line
        )
        for m in messages.values()
    }
    assert len(links) == 2


def test_the_link_shows_the_three_answers_and_nothing_about_the_pair_and_a_get_changes_nothing(
    cohort: Any, planned: Meeting, client_for: Any
) -> None:
    client = client_for(None)
    with time_machine.travel(timezone.now() + DAY, tick=False):
        page = client.get(link_for(planned, cohort.junior)).content.decode()
    for answer in ("We met", "It did not happen", "We moved it"):
        assert answer in page
    for private in (SECRET, "Café", "Jo Junior", "Mo Mentor", cohort.programme.name):
        assert private not in page
    assert not CheckIn.objects.exists()
    planned.refresh_from_db()
    assert planned.happened is None


def test_we_met_marks_the_meeting_held_once_and_the_link_then_says_it_was_used(
    cohort: Any, planned: Meeting, client_for: Any
) -> None:
    client = client_for(None)
    url = link_for(planned, cohort.junior)
    with time_machine.travel(timezone.now() + DAY, tick=False):
        response = client.post(url, {"answer": "met"})
        assert "recorded as held" in response.content.decode()
        again = client.post(url, {"answer": "not_held"}).content.decode()
    assert "already been used" in again
    [answer] = CheckIn.objects.all()
    assert answer.participant == cohort.junior and answer.answer == "met"
    planned.refresh_from_db()
    assert planned.happened is True
    entry = AuditEntry.objects.get(action="relationships.meeting.checkin")
    assert entry.changes == {"answer": "met", "sequence": 0}
    assert entry.actor == cohort.personas.mentee


def test_it_did_not_happen_takes_the_meeting_out_of_the_pairs_health(
    cohort: Any, pair: Pair, planned: Meeting, client_for: Any
) -> None:
    with time_machine.travel(timezone.now() + DAY, tick=False):
        assert pair_health(pair).held == 1
        client_for(None).post(link_for(planned, cohort.mo), {"answer": "not_held"})
        health = pair_health(pair)
    assert health.held == 0
    assert "The last planned meeting did not happen." in health.reasons
    planned.refresh_from_db()
    assert planned.happened is False


def test_we_moved_it_moves_the_meeting_and_updates_the_invitation(
    cohort: Any, planned: Meeting, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(None)
    url = link_for(planned, cohort.junior)
    with time_machine.travel(timezone.now() + DAY, tick=False):
        refused = client.post(url, {"answer": "moved"}).content.decode()
        assert "Give the new date and time" in refused
        assert not CheckIn.objects.exists()
        new_day = (timezone.localdate() + dt.timedelta(days=6)).isoformat()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.post(url, {"answer": "moved", "date": new_day, "time": "14:30"})
        assert callbacks, "the updated invitation is sent on commit"
        planned.refresh_from_db()
        assert planned.sequence == 1
        assert timezone.localtime(planned.starts_at).date().isoformat() == new_day
        assert planned.checkin_sent_at is None and planned.happened is None
        # The link named the meeting as it was; the moved meeting is asked about again.
        assert "already been used" in client.get(url).content.decode()


def test_an_expired_or_forged_link_records_nothing(
    cohort: Any, planned: Meeting, client_for: Any
) -> None:
    client = client_for(None)
    url = link_for(planned, cohort.junior)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15), tick=False):
        page = client.post(url, {"answer": "met"}).content.decode()
    assert "expired" in page
    assert client.get(url[:-3] + "xyz/").status_code == 404
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("who", PERSONAS)
def test_in_the_pair_space_only_the_two_members_answer(
    cohort: Any, planned: Meeting, client_for: Any, who: str
) -> None:
    user = getattr(cohort.personas, who)
    client = client_for(user)
    expected = {"mentee": 302, "mentor": 302, "outsider": 404}.get(who, 403)
    with time_machine.travel(timezone.now() + DAY, tick=False):
        if who == "mentee":
            workspace = client.get(reverse("pair_workspace", args=[planned.pair_id]))
            assert "Did you meet?" in workspace.content.decode()
        response = client.post(reverse("meeting_checkin", args=[planned.pk]), {"answer": "met"})
    assert response.status_code == expected
    assert CheckIn.objects.filter(participant__user=user).exists() == (expected == 302)


def test_a_meeting_still_to_come_cannot_be_answered(
    cohort: Any, planned: Meeting, client_for: Any
) -> None:
    client = client_for(cohort.personas.mentee)
    client.post(reverse("meeting_checkin", args=[planned.pk]), {"answer": "not_held"})
    assert not CheckIn.objects.exists()
    page = client.get(reverse("pair_workspace", args=[planned.pair_id])).content.decode()
    assert "once the meeting time has passed" in page
