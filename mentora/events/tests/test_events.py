"""Events: registration with capacity and a waiting list, calendar invitations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import PERSONAS
from mentora.events import services
from mentora.events.calendar import event_ics
from mentora.events.models import Event, EventRegistration
from mentora.events.tasks import send_event_registration
from mentora.people.models import Person
from mentora.programmes.models import Participant


@pytest.fixture
def event(programme: Any, setup: Any) -> Event:
    return services.event_create(
        programme=programme,
        title="Master class: feedback",
        kind="master_class",
        starts_at=timezone.now() + dt.timedelta(days=7),
        capacity=1,
        actor=setup.personas.manager,
        online_link="https://meet.example/mc",
        duration_minutes=150,
    )


def participant(programme: Any, person: Any, role: str = "mentee") -> Participant:
    return Participant.objects.create(
        programme=programme, person=person, user=person.user, role=role, status="ready"
    )


def test_a_full_event_puts_the_next_on_the_waiting_list_and_promotes_on_cancellation(
    event: Event, setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = participant(event.programme, setup.personas.people["junior"])
    second = participant(event.programme, setup.mentor_person, "mentor")
    with django_capture_on_commit_callbacks(execute=True):
        a = services.event_register(event=event, participant=first, actor=None)
        b = services.event_register(event=event, participant=second, actor=None)
    assert (a.status, b.status) == ("registered", "waitlisted")
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(registration=a, actor=None)
    b.refresh_from_db()
    assert b.status == "registered"
    assert (
        DBTaskResult.objects.filter(
            task_path="mentora.events.tasks.send_event_registration"
        ).count()
        == 4
    )


def test_registering_twice_keeps_one_place(event: Event, setup: Any) -> None:
    first = participant(event.programme, setup.personas.people["junior"])
    services.event_register(event=event, participant=first, actor=None)
    services.event_register(event=event, participant=first, actor=None)
    assert EventRegistration.objects.count() == 1


def test_a_past_event_takes_no_registrations(event: Event, setup: Any) -> None:
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(days=1))
    event.refresh_from_db()
    with pytest.raises(ValidationError):
        services.event_register(
            event=event,
            participant=participant(event.programme, setup.personas.people["junior"]),
            actor=None,
        )


def test_the_invitation_parses_with_the_right_time_and_length(event: Event) -> None:
    [component] = icalendar.Calendar.from_ical(
        event_ics(event, email="x@test.example", name="X")
    ).walk("VEVENT")
    start = component.decoded("dtstart")
    assert (
        start == event.starts_at.astimezone(dt.UTC).replace(microsecond=0)
        or abs((start - event.starts_at).total_seconds()) < 1
    )
    assert component.decoded("dtend") - start == dt.timedelta(minutes=150)
    assert str(component["url"]) == "https://meet.example/mc"


def test_the_confirmation_carries_a_calendar_file(event: Event, setup: Any, smtp_sink: Any) -> None:
    registration = services.event_register(
        event=event,
        participant=participant(event.programme, setup.personas.people["junior"]),
        actor=None,
    )
    assert send_event_registration.call(registration.pk)
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "mentee@test.example"
    assert any(part.get_content_type() == "text/calendar" for part in message.iter_attachments())


@pytest.mark.parametrize("who", PERSONAS)
def test_participants_register_themselves_and_others_cannot(
    client_for: Any, event: Event, setup: Any, who: str
) -> None:
    participant(event.programme, setup.personas.people["junior"])  # the mentee persona
    response = client_for(getattr(setup.personas, who)).post(
        reverse("event_register", args=[event.pk])
    )
    # Only the participant books their own place; the platform admin, in no organisation
    # of the programme, is told nothing.
    expected = {"mentee": 302, "outsider": 404, "admin": 404}.get(who, 403)
    assert response.status_code == expected
    assert EventRegistration.objects.exists() == (who == "mentee")


@pytest.mark.parametrize("who", PERSONAS)
def test_a_place_is_cancelled_by_its_holder_or_the_programme_team(
    client_for: Any, event: Event, setup: Any, who: str
) -> None:
    registration = services.event_register(
        event=event,
        participant=participant(event.programme, setup.personas.people["junior"]),
        actor=None,
    )
    response = client_for(getattr(setup.personas, who)).post(
        reverse("event_cancel", args=[registration.pk]), {"confirm": "on"}
    )
    allowed = who in {"mentee", "admin", "org_admin", "manager"}
    assert response.status_code == (302 if allowed else 404 if who == "outsider" else 403)
    registration.refresh_from_db()
    assert (registration.status == "cancelled") == allowed


def test_my_events_lists_only_the_users_programmes(
    client_for: Any, event: Event, setup: Any
) -> None:
    participant(event.programme, setup.personas.people["junior"])
    page = client_for(setup.personas.mentee).get(reverse("my_events")).content.decode()
    assert "Master class: feedback" in page
    other = client_for(setup.personas.outsider).get(reverse("my_events")).content.decode()
    assert "Master class: feedback" not in other


def test_the_events_page_counts_places(client_for: Any, event: Event, setup: Any) -> None:
    services.event_register(
        event=event,
        participant=participant(event.programme, setup.personas.people["junior"]),
        actor=None,
    )
    Person.objects.get(pk=setup.mentor_person.pk)
    page = (
        client_for(setup.personas.manager)
        .get(reverse("programme_events", args=[event.programme_id]))
        .content.decode()
    )
    assert "1 of 1" in page
