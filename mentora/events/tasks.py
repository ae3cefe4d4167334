"""Background e-mail about events. Every argument is a primary key."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from mentora.events.calendar import event_ics
from mentora.events.models import EventRegistration, RegistrationStatus
from mentora.notifications.services import notify


@task()
def send_event_registration(registration_id: int) -> bool:
    """Confirm a place (with a calendar invitation), a place on the waiting list, or a
    cancellation (which also removes the event from the calendar)."""
    registration = EventRegistration.objects.select_related(
        "event__programme", "participant__user", "participant__person"
    ).get(pk=registration_id)
    user = registration.participant.user
    if user is None:
        return False
    attachments = []
    if registration.status in (RegistrationStatus.REGISTERED, RegistrationStatus.CANCELLED):
        ics = event_ics(
            registration.event,
            email=user.email,
            name=registration.participant.person.full_name,
            cancelled=registration.status == RegistrationStatus.CANCELLED,
        )
        attachments.append(("event.ics", ics, "text/calendar"))
    notify(
        user=user,
        template="events/email/event_registration",
        context={"registration": registration, "event": registration.event},
        link=reverse("my_events"),
        attachments=attachments,
    )
    return True
