"""iCalendar invitations for programme events (workshops, master classes, meetings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as CalendarEntry

from mentora.events.models import Event


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    return address


def invitation_ics(
    *,
    product: str,
    uid: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    summary: str,
    place: str,
    link: str,
    attendees: Iterable[tuple[str, str]],
    cancelled: bool,
    sequence: int | None = None,
    organizer: tuple[str, str] | None = None,
) -> bytes:
    """An invitation (or its cancellation) as an .ics file (RFC 5545) for `attendees`, each
    an (e-mail, name). Times are in UTC, so every calendar shows them in its owner's own
    time zone, across daylight-saving changes. An online link stands in for a place."""
    calendar = Calendar()
    calendar.add("prodid", f"-//Mentora//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    entry = CalendarEntry()
    entry.add("uid", f"{uid}@mentora")
    if sequence is not None:
        entry.add("sequence", sequence)
    entry.add("dtstamp", dt.datetime.now(tz=dt.UTC))
    entry.add("dtstart", starts_at.astimezone(dt.UTC))
    entry.add("dtend", ends_at.astimezone(dt.UTC))
    entry.add("summary", summary)
    if place or link:
        entry.add("location", place or link)
    if link:
        entry.add("url", link)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if organizer is not None:
        entry["organizer"] = _address(*organizer)
    for email, name in attendees:
        entry.add("attendee", _address(email, name), encode=False)
    calendar.add_component(entry)
    return calendar.to_ical()


def event_ics(event: Event, *, email: str, name: str, cancelled: bool = False) -> bytes:
    """One attendee's invitation to an event (or its cancellation)."""
    return invitation_ics(
        product="Programme events",
        uid=str(event.uid),
        starts_at=event.starts_at,
        ends_at=event.starts_at + dt.timedelta(minutes=event.duration_minutes),
        summary=f"{event.title} ({event.programme.name})",
        place=event.place,
        link=event.online_link,
        attendees=[(email, name)],
        cancelled=cancelled,
    )
