"""iCalendar invitations for a pair's meetings and for flash conversations, and their
entries in a person's calendar subscription."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from mentora.events.calendar import CalendarItem, ends_after, invitation_ics
from mentora.programmes.models import Participant
from mentora.relationships.models import FlashBooking, Meeting


def _organizer() -> tuple[str, str]:
    return (settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">"), "Mentora")


def _attendees(*participants: Participant) -> list[tuple[str, str]]:
    attendees = []
    for participant in participants:
        email = participant.user.email if participant.user else participant.person.email
        if email:
            attendees.append((email, participant.person.full_name))
    return attendees


def meeting_item(meeting: Meeting) -> CalendarItem:
    """A meeting as a calendar entry. The summary names the two people, never what they
    will talk about: the agenda and notes stay out of every calendar."""
    pair = meeting.pair
    return CalendarItem(
        uid=str(meeting.uid),
        summary=f"Mentoring: {pair.mentee.person.full_name} & {pair.mentor.person.full_name}",
        starts_at=meeting.starts_at,
        ends_at=ends_after(meeting.starts_at, meeting.duration_minutes),
        place=meeting.place,
        link=meeting.link,
        sequence=meeting.sequence,
        cancelled=meeting.cancelled_at is not None,
    )


def meeting_ics(meeting: Meeting, *, cancelled: bool = False) -> bytes:
    """The invitation to a meeting (or its cancellation), for both members of the pair."""
    return _item_ics(
        meeting_item(meeting),
        product="Mentoring meetings",
        attendees=_attendees(meeting.pair.mentee, meeting.pair.mentor),
        cancelled=cancelled,
    )


def _item_ics(
    item: CalendarItem, *, product: str, attendees: list[tuple[str, str]], cancelled: bool
) -> bytes:
    """The invitation for one timed calendar entry, with its UID and sequence."""
    assert isinstance(item.starts_at, dt.datetime) and item.ends_at is not None
    return invitation_ics(
        product=product,
        uid=item.uid,
        sequence=item.sequence,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        summary=item.summary,
        place=item.place,
        link=item.link,
        attendees=attendees,
        cancelled=cancelled,
        organizer=_organizer(),
    )


def flash_item(booking: FlashBooking) -> CalendarItem:
    """A flash conversation as a calendar entry: who talks with whom, where, and when."""
    slot = booking.slot
    return CalendarItem(
        uid=str(booking.uid),
        summary=(
            f"Flash mentoring: {booking.learner.person.full_name} & {slot.expert.person.full_name}"
        ),
        starts_at=slot.starts_at,
        ends_at=ends_after(slot.starts_at, slot.duration_minutes),
        place=slot.place,
        link=slot.link,
        sequence=booking.sequence,
        cancelled=not booking.is_active,
    )


def flash_ics(booking: FlashBooking) -> bytes:
    """The invitation to a flash conversation for the learner and the expert; a REQUEST
    while it stands, a CANCEL once it is cancelled (always with the booking's sequence)."""
    item = flash_item(booking)
    return _item_ics(
        item,
        product="Flash mentoring",
        attendees=_attendees(booking.learner, booking.slot.expert),
        cancelled=item.cancelled,
    )
