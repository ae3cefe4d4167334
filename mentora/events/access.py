"""Who may see or change a programme's events and the places taken at them."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone

from mentora.accounts.access import Viewer, refuse
from mentora.accounts.models import Organisation
from mentora.events.models import Event, EventRegistration
from mentora.programmes.access import access_programme, can_manage_programme, participations_of
from mentora.programmes.models import Participant
from mentora.programmes.models import ParticipantStatus as S


def access_event(user: Viewer, programme_id: int, event_id: int, *, write: bool = False) -> Event:
    """An event of a programme the user may see (or change, with `write`)."""
    # The programme decides who may look: 404 to outsiders, 403 to members who may not.
    programme = access_programme(user, programme_id, write=write)
    # An event of another programme is as missing as one that does not exist.
    return get_object_or_404(
        Event.objects.select_related("programme"), pk=event_id, programme=programme
    )


def access_event_registration(user: Viewer, registration_id: int) -> EventRegistration:
    """A registration: the participant cancels their own; managers may cancel any."""
    registration = get_object_or_404(
        EventRegistration.objects.select_related("event__programme__organisation", "participant"),
        pk=registration_id,
    )
    programme = registration.event.programme
    # The participant whose place it is.
    if user.is_authenticated and registration.participant.user_id == user.pk:
        return registration
    # Those running the programme manage places.
    if can_manage_programme(user, programme):
        return registration
    refuse(user, programme.organisation_ids())


def own_participation_for_event(user: Viewer, event_id: int) -> tuple[Event, Participant]:
    """The event and the user's own participation in its programme, to register."""
    event = get_object_or_404(Event.objects.select_related("programme__organisation"), pk=event_id)
    participant = (
        Participant.objects.filter(programme=event.programme, user_id=user.pk)
        .order_by("pk")
        .first()
        if user.is_authenticated
        else None
    )
    if participant is not None:
        return event, participant
    refuse(user, event.programme.organisation_ids())


def own_upcoming_events(
    user: Viewer, *, organisation: Organisation | None = None, until: dt.datetime | None = None
) -> list[tuple[Event, EventRegistration | None]]:
    """Upcoming events of the programmes `user` takes part in (neither declined nor
    withdrawn), each with their own registration, if any; in two queries. Only their
    participations as a person of `organisation`, and events before `until`, if given."""
    participations = participations_of(user).exclude(status__in=[S.DECLINED, S.WITHDRAWN, S.LEFT])
    if organisation is not None:
        participations = participations.filter(person__organisation=organisation)
    events = Event.objects.filter(
        programme__in=participations.values("programme"), starts_at__gte=timezone.now()
    )
    if until is not None:
        events = events.filter(starts_at__lt=until)
    mine = {r.event_id: r for r in EventRegistration.objects.filter(participant__in=participations)}
    return [
        (event, mine.get(event.pk))
        for event in events.select_related("programme").order_by("starts_at")
    ]
