"""iCalendar invitations for a pair's meetings."""

from __future__ import annotations

from django.conf import settings

from mentora.events.calendar import invitation_ics
from mentora.relationships.models import Meeting


def meeting_ics(meeting: Meeting, *, cancelled: bool = False) -> bytes:
    """The invitation to a meeting (or its cancellation), for both members of the pair."""
    pair = meeting.pair
    attendees = []
    for participant in (pair.mentee, pair.mentor):
        email = participant.user.email if participant.user else participant.person.email
        if email:
            attendees.append((email, participant.person.full_name))
    return invitation_ics(
        product="Mentoring meetings",
        uid=str(meeting.uid),
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        # The summary names the two people, never what they will talk about.
        summary=f"Mentoring: {pair.mentee.person.full_name} & {pair.mentor.person.full_name}",
        place=meeting.place,
        link=meeting.link,
        attendees=attendees,
        cancelled=cancelled,
        organizer=(settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">"), "Mentora"),
    )
