"""iCalendar invitations for programme events (workshops, master classes, meetings)."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event, vCalAddress, vText

from mentora.programmes.models import Workshop


def event_ics(workshop: Workshop, *, email: str, name: str, cancelled: bool = False) -> bytes:
    """One attendee's invitation (or its cancellation), in UTC so every calendar shows the
    attendee's own local time."""
    calendar = Calendar()
    calendar.add("prodid", "-//Mentora//Programme events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"{workshop.uid}@mentora")
    event.add("dtstamp", dt.datetime.now(tz=dt.UTC))
    event.add("dtstart", workshop.starts_at.astimezone(dt.UTC))
    event.add(
        "dtend",
        (workshop.starts_at + dt.timedelta(minutes=workshop.duration_minutes)).astimezone(dt.UTC),
    )
    event.add("summary", f"{workshop.title} ({workshop.programme.name})")
    if workshop.place:
        event.add("location", workshop.place)
    elif workshop.online_link:
        event.add("location", workshop.online_link)
    if workshop.online_link:
        event.add("url", workshop.online_link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    attendee = vCalAddress(f"mailto:{email}")
    attendee.params["cn"] = vText(name)
    event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()
