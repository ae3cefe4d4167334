"""Writes about events: scheduling them, places and waiting lists, attendance.

Each is atomic and audited; e-mail goes out on commit. The audit actions keep the codes
they had when events were part of programmes, so that the log reads as one history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log, snapshot
from mentora.events import tasks
from mentora.events.models import (
    Attendance,
    Event,
    EventKind,
    EventRegistration,
    RegistrationStatus,
    RequiredFor,
)
from mentora.programmes.models import Participant, ParticipantStatus, Programme
from mentora.programmes.services.pipeline import (
    has_attended_required_events,
    participant_transition,
)

S = ParticipantStatus


@transaction.atomic
def event_create(
    *,
    programme: Programme,
    title: str,
    starts_at: dt.datetime,
    actor: Any,
    place: str = "",
    online_link: str = "",
    capacity: int | None = None,
    required_for: str = RequiredFor.BOTH,
    kind: str = EventKind.WORKSHOP,
    duration_minutes: int = 180,
) -> Event:
    """Schedule an event: a preparation workshop, master class, or group meeting."""
    event = Event.objects.create(
        programme=programme,
        kind=kind,
        duration_minutes=duration_minutes,
        title=title,
        starts_at=starts_at,
        place=place,
        online_link=online_link,
        capacity=capacity,
        required_for=required_for,
    )
    audit_log(
        actor=actor,
        action="programmes.workshop.create",
        obj=event,
        programme=programme,
        changes=snapshot(event, ("title", "starts_at", "place", "capacity", "required_for")),
    )
    return event


@dataclass(frozen=True)
class AttendanceOutcome:
    """Who became trained by an attendance record, and who went back to approved."""

    trained: list[Participant]
    untrained: list[Participant]


@transaction.atomic
def attendance_record(
    *, event: Event, attended: Iterable[Participant], actor: Any
) -> AttendanceOutcome:
    """Record who attended. Approved participants who have now attended every required
    event become trained; trained or ready ones whose attendance of a required event was
    unticked go back to approved (not to be matched before they attend)."""
    programme = event.programme
    attended_ids = {p.pk for p in attended if p.programme_id == programme.pk}
    if event.capacity is not None and len(attended_ids) > event.capacity:
        raise ValidationError(
            _("More people attended than the workshop has places for (%(n)s)."),
            params={"n": event.capacity},
            code="capacity",
        )
    before = set(event.attendance.filter(attended=True).values_list("participant_id", flat=True))
    for participant_id in attended_ids:
        Attendance.objects.update_or_create(
            event=event, participant_id=participant_id, defaults={"attended": True}
        )
    event.attendance.exclude(participant_id__in=attended_ids).update(attended=False)
    if before != attended_ids:
        audit_log(
            actor=actor,
            action="programmes.workshop.attendance",
            obj=event,
            programme=programme,
            changes={"attended": {"old": sorted(before), "new": sorted(attended_ids)}},
        )
    trained = [
        participant_transition(participant=participant, to_status=S.TRAINED, actor=actor)
        for participant in programme.participants.filter(pk__in=attended_ids, status=S.APPROVED)
        if has_attended_required_events(participant)
    ]
    untrained = [
        participant_transition(participant=participant, to_status=S.APPROVED, actor=actor)
        for participant in programme.participants.filter(
            pk__in=before - attended_ids, status__in=[S.TRAINED, S.READY]
        )
        if not has_attended_required_events(participant)
    ]
    return AttendanceOutcome(trained, untrained)


# Registration with a waiting list ------------------------------------------------------------


def registration_check(*, event: Event, participant: Participant) -> None:
    """Refuse, as `event_register` would, a registration the event cannot take."""
    if participant.programme_id != event.programme_id:
        raise ValidationError(_("This event belongs to another programme."))
    if event.is_past:
        raise ValidationError(_("This event has already taken place."))
    if participant.status in (S.DECLINED, S.WITHDRAWN, S.LEFT):
        raise ValidationError(_("Only current participants can register."))


@transaction.atomic
def event_register(*, event: Event, participant: Participant, actor: Any) -> EventRegistration:
    """Take a place at an event, or a place on its waiting list when it is full."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    registration_check(event=event, participant=participant)
    full = event.capacity is not None and event.registrations.holding_a_place().count() >= (
        event.capacity
    )
    status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
    registration, created = EventRegistration.objects.get_or_create(
        event=event, participant=participant, defaults={"status": status}
    )
    if not created:
        if registration.status != RegistrationStatus.CANCELLED:
            return registration
        registration.status, registration.registered_at = status, timezone.now()
        registration.save(update_fields=["status", "registered_at"])
    _registration_told(registration, event=event, action=f"programmes.event.{status}", actor=actor)
    return registration


def _registration_told(
    registration: EventRegistration, *, event: Event, action: str, actor: Any
) -> None:
    """Log a registration's new status, and tell its participant once the change commits."""
    audit_log(
        actor=actor,
        action=action,
        obj=registration,
        programme=event.programme,
        changes={"event": event.pk},
    )
    transaction.on_commit(partial(tasks.send_event_registration.enqueue, registration.pk))


@transaction.atomic
def event_cancel(*, registration: EventRegistration, actor: Any) -> EventRegistration:
    """Give up a place; the first on the waiting list takes it and is told so."""
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    was_registered = registration.status == RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status"])
    _registration_told(registration, event=event, action="programmes.event.cancel", actor=actor)
    if was_registered:
        following = event.registrations.waiting().first()
        if following is not None:
            following.status = RegistrationStatus.REGISTERED
            following.save(update_fields=["status"])
            _registration_told(
                following, event=event, action="programmes.event.promote", actor=actor
            )
    return registration
