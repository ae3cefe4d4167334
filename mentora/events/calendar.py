"""iCalendar files for programme events (workshops, master classes, meetings): the
invitations sent by e-mail, and the entries of a person's calendar subscription."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as CalendarEntry

from mentora.events.models import Event

# The last moment a calendar can hold: an entry that would end later ends here instead.
END_OF_TIME = dt.datetime.max.replace(tzinfo=dt.UTC)


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    return address


def ends_after(starts_at: dt.datetime, minutes: int) -> dt.datetime:
    """`minutes` after `starts_at`, or the end of the calendar for an entry near year 9999
    (which plain addition overflows)."""
    try:
        return starts_at + dt.timedelta(minutes=minutes)
    except OverflowError:
        return END_OF_TIME


@dataclasses.dataclass(frozen=True)
class CalendarItem:
    """One entry of a calendar: timed (`starts_at` a datetime) or a whole day (a date)."""

    uid: str
    summary: str
    starts_at: dt.datetime | dt.date
    ends_at: dt.datetime | None = None
    place: str = ""
    link: str = ""
    sequence: int | None = None
    cancelled: bool = False


def _entry(
    item: CalendarItem,
    *,
    stamp: dt.datetime | None = None,
    attendees: Iterable[tuple[str, str]] = (),
    organizer: tuple[str, str] | None = None,
) -> CalendarEntry:
    entry = CalendarEntry()
    entry.add("uid", f"{item.uid}@mentora")
    if item.sequence is not None:
        entry.add("sequence", item.sequence)
    entry.add("dtstamp", stamp or dt.datetime.now(tz=dt.UTC))
    if isinstance(item.starts_at, dt.datetime):
        entry.add("dtstart", item.starts_at.astimezone(dt.UTC))
        if item.ends_at is not None:
            entry.add("dtend", item.ends_at.astimezone(dt.UTC))
    else:
        # A whole day with no DTEND lasts that one day (RFC 5545, 3.6.1), and needs no
        # arithmetic that the last day of the calendar would overflow.
        entry.add("dtstart", item.starts_at)
    entry.add("summary", item.summary)
    if item.place or item.link:
        entry.add("location", item.place or item.link)
    if item.link:
        entry.add("url", item.link)
    entry.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if organizer is not None:
        entry["organizer"] = _address(*organizer)
    for email, name in attendees:
        entry.add("attendee", _address(email, name), encode=False)
    return entry


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
    item = CalendarItem(
        uid=uid,
        summary=summary,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        link=link,
        sequence=sequence,
        cancelled=cancelled,
    )
    calendar.add_component(_entry(item, attendees=attendees, organizer=organizer))
    return calendar.to_ical()


def subscription_ics(*, name: str, items: Iterable[CalendarItem]) -> bytes:
    """A calendar to subscribe to (RFC 5545, no METHOD: it is published, not an
    invitation). Each entry keeps the UID and sequence of its invitation, so a calendar
    that has both shows one entry, and a cancelled one is marked CANCELLED rather than
    dropped, so clients that cached it remove it."""
    calendar = Calendar()
    calendar.add("prodid", "-//Mentora//Calendar subscription//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    # One moment for the whole feed: when it was written.
    stamp = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    for item in items:
        calendar.add_component(_entry(item, stamp=stamp))
    return calendar.to_ical()


def event_item(event: Event, *, cancelled: bool = False) -> CalendarItem:
    """An event as a calendar entry."""
    return CalendarItem(
        uid=str(event.uid),
        summary=f"{event.title} ({event.programme.name})",
        starts_at=event.starts_at,
        ends_at=ends_after(event.starts_at, event.duration_minutes),
        place=event.place,
        link=event.online_link,
        cancelled=cancelled,
    )


def event_ics(event: Event, *, email: str, name: str, cancelled: bool = False) -> bytes:
    """One attendee's invitation to an event (or its cancellation)."""
    item = event_item(event, cancelled=cancelled)
    assert isinstance(item.starts_at, dt.datetime) and item.ends_at is not None
    return invitation_ics(
        product="Programme events",
        uid=item.uid,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        summary=item.summary,
        place=item.place,
        link=item.link,
        attendees=[(email, name)],
        cancelled=cancelled,
    )
