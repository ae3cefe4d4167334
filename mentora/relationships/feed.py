"""A person's calendar subscription: their mentoring meetings, flash conversations, the
events they are registered for and the touchpoints of their programmes, as one iCalendar
feed (RFC 5545).

Each entry keeps the UID and sequence of the invitation that was e-mailed for it, so a
calendar holding both shows one entry and takes the newest. Only what the person may see
goes in, and of a meeting only its time, place and the two names: never the agenda, the
notes or anything else the pair writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.utils import timezone

from mentora.events.calendar import CalendarItem, event_item, subscription_ics
from mentora.events.models import EventRegistration, RegistrationStatus
from mentora.programmes.models import Participant, Touchpoint
from mentora.relationships.access import NOT_TAKING_PART_STATUSES, flash_bookings_of
from mentora.relationships.calendar import flash_item, meeting_item
from mentora.relationships.models import Meeting

# How far back the feed reaches: enough for a calendar to keep recent history, small
# enough for a long programme's feed to stay quick to fetch.
HISTORY_DAYS = 180


def calendar_items(user: Any, *, now: dt.datetime | None = None) -> Iterator[CalendarItem]:
    """Every entry of `user`'s calendar, from HISTORY_DAYS ago on."""
    since = (now or timezone.now()) - dt.timedelta(days=HISTORY_DAYS)
    meetings = Meeting.objects.filter(
        Q(pair__mentee__user_id=user.pk) | Q(pair__mentor__user_id=user.pk),
        starts_at__gte=since,
    ).select_related("pair__mentee__person", "pair__mentor__person")
    for meeting in meetings:
        yield meeting_item(meeting)
    for booking in flash_bookings_of(user).filter(slot__starts_at__gte=since):
        yield flash_item(booking)
    registrations = EventRegistration.objects.filter(
        participant__user_id=user.pk,
        status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.CANCELLED],
        event__starts_at__gte=since,
    ).select_related("event__programme")
    for registration in registrations:
        yield event_item(
            registration.event, cancelled=registration.status == RegistrationStatus.CANCELLED
        )
    taking_part_in = (
        Participant.objects.filter(user_id=user.pk)
        .exclude(status__in=NOT_TAKING_PART_STATUSES)
        .values("programme")
    )
    touchpoints = Touchpoint.objects.filter(
        programme__in=taking_part_in, date__gte=since.date()
    ).select_related("programme")
    for touchpoint in touchpoints:
        yield CalendarItem(
            uid=f"touchpoint-{touchpoint.pk}",
            summary=f"{touchpoint} ({touchpoint.programme.name})",
            starts_at=touchpoint.date,
        )


def calendar_feed_ics(user: Any) -> bytes:
    """The whole feed of `user`, as an .ics file."""
    return subscription_ics(name="Mentora", items=calendar_items(user))
