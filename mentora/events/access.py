"""Who may see or change a programme's events and the places taken at them."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from mentora.accounts.access import Viewer, refuse
from mentora.events.models import Event, EventRegistration
from mentora.programmes.access import access_programme, can_manage_programme
from mentora.programmes.models import Participant


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
