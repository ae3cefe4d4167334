"""Events moved from programmes to their own app: a database that already holds events,
attendance and registrations keeps every row, under the new names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mentora.events.models import Attendance, Event, EventRegistration

# Every app whose tables the old rows go into is taken back to how it was then: a column
# added since (with its default only in Python) would refuse the old model's rows.
BEFORE = [
    ("programmes", "0002_event_kinds_and_registrations"),
    ("events", None),
    ("accounts", "0002_throttle_events"),
    ("people", "0004_person_search_indexes"),
]


@pytest.mark.django_db(transaction=True)
def test_existing_events_attendance_and_registrations_survive_the_move() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[0]).apps
    organisation = old.get_model("accounts", "Organisation").objects.create(
        name="Acme", slug="acme-migration"
    )
    person = old.get_model("people", "Person").objects.create(
        organisation=organisation, employee_id="E1", first_name="Ada", last_name="Lovelace"
    )
    programme = old.get_model("programmes", "Programme").objects.create(
        organisation=organisation, name="Graduates"
    )
    participant = old.get_model("programmes", "Participant").objects.create(
        programme=programme, person=person, role="mentee", status="approved"
    )
    workshop = old.get_model("programmes", "Workshop").objects.create(
        programme=programme,
        title="Kick-off",
        kind="master_class",
        starts_at=dt.datetime(2030, 3, 1, 9, tzinfo=dt.UTC),
        capacity=12,
        required_for="mentee",
    )
    old.get_model("programmes", "WorkshopAttendance").objects.create(
        workshop=workshop, participant=participant, attended=True
    )
    old.get_model("programmes", "EventRegistration").objects.create(
        workshop=workshop, participant=participant, status="waitlisted"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    event = Event.objects.get(pk=workshop.pk)
    assert (event.title, event.kind, event.capacity, event.required_for, event.uid) == (
        "Kick-off",
        "master_class",
        12,
        "mentee",
        workshop.uid,
    )
    assert event.programme_id == programme.pk
    attendance = Attendance.objects.get()
    assert (attendance.event_id, attendance.participant_id, attendance.attended) == (
        event.pk,
        participant.pk,
        True,
    )
    registration = EventRegistration.objects.get()
    assert (registration.event_id, registration.status) == (event.pk, "waitlisted")
    assert "programmes_workshop" not in connection.introspection.table_names()
