"""iCalendar invitations for programme events (workshops, master classes, meetings)."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as CalendarEntry

from mentora.events.models import Event


def event_ics(event: Event, *, email: str, name: str, cancelled: bool = False) -> bytes:
    """One attendee's invitation (or its cancellation), in UTC so every calendar shows the
    attendee's own local time."""
    calendar = Calendar()
    calendar.add("prodid", "-//Mentora//Programme events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    entry = CalendarEntry()
    entry.add("uid", f"{event.uid}@mentora")
    entry.add("dtstamp", dt.datetime.now(tz=dt.UTC))
    entry.add("dtstart", event.starts_at.astimezone(dt.UTC))
    entry.add(
        "dtend",
        (event.starts_at + dt.timedelta(minutes=event.duration_minutes)).astimezone(dt.UTC),
    )
    entry.add("summary", f"{event.title} ({event.programme.name})")
    if event.place:
        entry.add("location", event.place)
    elif event.online_link:
        entry.add("location", event.online_link)
    if event.online_link:
        entry.add("url", event.online_link)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    attendee = vCalAddress(f"mailto:{email}")
    attendee.params["cn"] = vText(name)
    entry.add("attendee", attendee, encode=False)
    calendar.add_component(entry)
    return calendar.to_ical()
