"""Background e-mail about events. Every argument is a primary key."""

from __future__ import annotations

from django_tasks import task

from mentora.core.mail import send_to_user
from mentora.events.calendar import event_ics
from mentora.events.models import EventRegistration, RegistrationStatus


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
    send_to_user(
        user=user,
        template="events/email/event_registration",
        context={"registration": registration, "event": registration.event},
        attachments=attachments,
    )
    return True
