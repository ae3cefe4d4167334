"""iCalendar invitations for a pair's meetings (RFC 5545, through the icalendar package)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from mentora.relationships.models import Meeting


def meeting_ics(meeting: Meeting, *, cancelled: bool = False) -> bytes:
    """The invitation (or its cancellation) as an .ics file. Times are in UTC, so every
    calendar shows them in its owner's own time zone, across daylight-saving changes."""
    calendar = Calendar()
    calendar.add("prodid", "-//Mentora//Mentoring meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"{meeting.uid}@mentora")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", dt.datetime.now(tz=dt.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(dt.UTC))
    event.add("dtend", meeting.ends_at.astimezone(dt.UTC))
    pair = meeting.pair
    # The summary names the two people, never what they will talk about.
    event.add(
        "summary", f"Mentoring: {pair.mentee.person.full_name} & {pair.mentor.person.full_name}"
    )
    if meeting.place:
        event.add("location", meeting.place)
    if meeting.link:
        event.add("url", meeting.link)
        if not meeting.place:
            event.add("location", meeting.link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    organizer.params["cn"] = vText("Mentora")
    event["organizer"] = organizer
    for participant in (pair.mentee, pair.mentor):
        email = participant.user.email if participant.user else participant.person.email
        if email:
            attendee = vCalAddress(f"mailto:{email}")
            attendee.params["cn"] = vText(participant.person.full_name)
            event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()
