"""Each person's private calendar subscription: the token, revocation, what the feed holds
and for whom, and RFC 5545's rules, checked with the icalendar parser."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from conftest import PERSONAS
from mentora.accounts import services as accounts_services
from mentora.accounts.models import CalendarFeed
from mentora.core.models import AuditEntry
from mentora.events import services as event_services
from mentora.events.models import EventRegistration
from mentora.programmes.models import Participant, Touchpoint
from mentora.relationships.models import Meeting, Pair
from mentora.relationships.services import flash, meetings
from mentora.relationships.tests.test_experts import Network, network  # noqa: F401

PRIVATE = "Zqprivatemarker"


@pytest.fixture
def pair(network: Network) -> Pair:
    """Jo (the mentee persona) and Mo (the mentor persona) are also a pair."""
    return Pair.objects.create(
        programme=network.programme, mentee=network.learner, mentor=network.expert
    )


def register(network: Network, event: Any, status: str) -> None:
    EventRegistration.objects.create(event=event, participant=network.learner, status=status)


def token_for(user: Any) -> str:
    return accounts_services.calendar_feed_renew(user=user, actor=user)


def fetch(client: Any, token: str) -> Any:
    return client.get(reverse("calendar_feed", args=[token]))


def feed_of(client: Any, user: Any) -> tuple[bytes, Calendar]:
    response = fetch(client, token_for(user))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "private" in response["Cache-Control"]
    return response.content, Calendar.from_ical(response.content)


def entries(calendar: Calendar) -> dict[str, Any]:
    return {str(entry["UID"]): entry for entry in calendar.walk("VEVENT")}


def check_rfc5545(raw: bytes, calendar: Calendar) -> None:
    """The rules of RFC 5545 a subscribed calendar must keep."""
    # 3.1: lines end in CRLF and are folded at 75 octets.
    assert raw.endswith(b"\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    # 3.6: PRODID and VERSION once each; a published feed is no iTIP message: no METHOD.
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"])
    assert "METHOD" not in calendar
    uids = []
    for entry in calendar.walk("VEVENT"):
        # 3.6.1: UID and DTSTAMP are required, DTSTAMP in UTC; DTSTART too (no METHOD).
        assert entry.get("UID") and entry.get("DTSTART")
        assert entry.decoded("DTSTAMP").tzinfo is not None
        assert entry.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)
        start = entry.decoded("DTSTART")
        if "DTEND" in entry:
            # DTEND is later than DTSTART, and of the same value type.
            assert type(entry.decoded("DTEND")) is type(start)
            assert entry.decoded("DTEND") > start
        if "SEQUENCE" in entry:
            assert int(entry["SEQUENCE"]) >= 0
        assert str(entry["STATUS"]) in {"CONFIRMED", "CANCELLED", "TENTATIVE"}
        uids.append(str(entry["UID"]))
    assert len(uids) == len(set(uids)), "each entry once"


# The token -----------------------------------------------------------------------------------


def test_the_token_is_random_and_only_its_hash_is_stored(personas: Any) -> None:
    token = token_for(personas.mentee)
    other = token_for(personas.mentor)
    assert len(token) >= 40 and token != other
    stored = CalendarFeed.objects.get(user=personas.mentee)
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert not AuditEntry.objects.filter(changes__icontains=token).exists()


def test_a_new_link_revokes_the_old_one(personas: Any, client: Any) -> None:
    old = token_for(personas.mentee)
    assert fetch(client, old).status_code == 200
    new = token_for(personas.mentee)
    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200
    assert CalendarFeed.objects.filter(user=personas.mentee).count() == 1


def test_a_stopped_link_and_a_made_up_one_answer_404(personas: Any, client: Any) -> None:
    token = token_for(personas.mentee)
    accounts_services.calendar_feed_stop(user=personas.mentee, actor=personas.mentee)
    assert fetch(client, token).status_code == 404
    assert fetch(client, "x" * 43).status_code == 404
    assert fetch(client, "x" * 3000).status_code == 404


def test_a_deactivated_account_has_no_feed(personas: Any, client: Any) -> None:
    token = token_for(personas.mentee)
    personas.mentee.is_active = False
    personas.mentee.save()
    assert fetch(client, token).status_code == 404


def test_nobody_makes_or_stops_a_link_for_someone_else(personas: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        accounts_services.calendar_feed_renew(user=personas.mentee, actor=personas.manager)
    token_for(personas.mentee)
    with pytest.raises(ValidationError):
        accounts_services.calendar_feed_stop(user=personas.mentee, actor=personas.admin)
    assert CalendarFeed.objects.filter(user=personas.mentee).exists()


# What the feed holds -------------------------------------------------------------------------


def test_the_feed_holds_meetings_flash_conversations_events_and_touchpoints(
    network: Network, pair: Pair, client: Any
) -> None:
    personas = network.personas
    soon = timezone.now() + dt.timedelta(days=2)
    meeting = meetings.meeting_schedule(
        pair=pair, actor=personas.mentee, starts_at=soon, place="Café"
    )
    slot = flash.flash_slot_publish(
        expert=network.expert, actor=personas.mentor, starts_at=soon, place="Room 4"
    )
    booking = flash.flash_book(slot=slot, learner=network.learner, actor=personas.mentee)
    workshop = event_services.event_create(
        programme=network.programme, title="Kick-off", starts_at=soon, actor=personas.manager
    )
    EventRegistration.objects.create(
        event=workshop, participant=network.learner, status="registered"
    )
    touchpoint = Touchpoint.objects.create(
        programme=network.programme,
        kind="midway",
        date=timezone.localdate() + dt.timedelta(days=30),
    )
    raw, calendar = feed_of(client, personas.mentee)
    check_rfc5545(raw, calendar)
    found = entries(calendar)
    assert {
        f"{meeting.uid}@mentora",
        f"{booking.uid}@mentora",
        f"{workshop.uid}@mentora",
        f"touchpoint-{touchpoint.pk}@mentora",
    } <= set(found)
    assert found[f"{meeting.uid}@mentora"]["LOCATION"] == "Café"
    assert found[f"touchpoint-{touchpoint.pk}@mentora"].decoded("DTSTART") == touchpoint.date
    # The expert sees the meeting and the conversation, not the learner's workshop.
    _raw, expert_calendar = feed_of(client, personas.mentor)
    assert f"{booking.uid}@mentora" in entries(expert_calendar)
    assert f"{workshop.uid}@mentora" not in entries(expert_calendar)


@pytest.mark.parametrize("who", [p for p in PERSONAS if p not in {"mentee", "mentor"}])
def test_no_one_else_sees_a_pairs_meetings_or_conversations(
    network: Network, pair: Pair, client: Any, who: str
) -> None:
    personas = network.personas
    soon = timezone.now() + dt.timedelta(days=2)
    meeting = meetings.meeting_schedule(pair=pair, actor=personas.mentee, starts_at=soon, place="x")
    slot = flash.flash_slot_publish(
        expert=network.expert, actor=personas.mentor, starts_at=soon, place="Room 4"
    )
    booking = flash.flash_book(slot=slot, learner=network.learner, actor=personas.mentee)
    raw, calendar = feed_of(client, personas.all()[who])
    assert str(meeting.uid).encode() not in raw and str(booking.uid).encode() not in raw
    assert list(calendar.walk("VEVENT")) == []


def test_no_private_text_of_a_meeting_reaches_the_feed(
    network: Network, pair: Pair, client: Any
) -> None:
    meeting = meetings.meeting_schedule(
        pair=pair,
        actor=network.personas.mentee,
        starts_at=timezone.now() + dt.timedelta(days=2),
        place="Room 1",
    )
    for part in ("agenda", "notes", "follow_up"):
        meetings.meeting_write(
            meeting=meeting, actor=network.personas.mentee, part=part, text=f"{PRIVATE} {part}"
        )
    for user in (network.personas.mentee, network.personas.mentor):
        raw, _calendar = feed_of(client, user)
        assert PRIVATE.encode() not in raw
        assert b"Room 1" in raw


def test_a_moved_and_cancelled_meeting_keeps_its_uid_with_a_rising_sequence(
    network: Network, pair: Pair, client: Any
) -> None:
    personas = network.personas
    meeting = meetings.meeting_schedule(
        pair=pair, actor=personas.mentee, starts_at=timezone.now() + dt.timedelta(days=2)
    )
    token = token_for(personas.mentee)
    uid = f"{meeting.uid}@mentora"

    def entry() -> Any:
        return entries(Calendar.from_ical(fetch(client, token).content))[uid]

    first = entry()
    assert int(first["SEQUENCE"]) == 0 and first["STATUS"] == "CONFIRMED"
    later = timezone.now() + dt.timedelta(days=5)
    meetings.meeting_move(meeting=meeting, actor=personas.mentor, starts_at=later)
    moved = entry()
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == later.replace(microsecond=0).astimezone(dt.UTC)
    meetings.meeting_cancel(meeting=Meeting.objects.get(pk=meeting.pk), actor=personas.mentee)
    cancelled = entry()
    assert int(cancelled["SEQUENCE"]) == 2 and cancelled["STATUS"] == "CANCELLED"


def test_a_cancelled_flash_conversation_and_event_place_stay_marked_cancelled(
    network: Network, client: Any
) -> None:
    personas = network.personas
    slot = flash.flash_slot_publish(
        expert=network.expert,
        actor=personas.mentor,
        starts_at=timezone.now() + dt.timedelta(days=2),
        link="https://meet.example/mo",
    )
    booking = flash.flash_book(slot=slot, learner=network.learner, actor=personas.mentee)
    flash.flash_booking_cancel(booking=booking, actor=personas.mentor)
    workshop = event_services.event_create(
        programme=network.programme,
        title="Kick-off",
        starts_at=timezone.now() + dt.timedelta(days=3),
        actor=personas.manager,
    )
    EventRegistration.objects.create(
        event=workshop, participant=network.learner, status="cancelled"
    )
    raw, calendar = feed_of(client, personas.mentee)
    check_rfc5545(raw, calendar)
    found = entries(calendar)
    assert found[f"{booking.uid}@mentora"]["STATUS"] == "CANCELLED"
    assert int(found[f"{booking.uid}@mentora"]["SEQUENCE"]) == 1
    assert found[f"{workshop.uid}@mentora"]["STATUS"] == "CANCELLED"


def test_touchpoints_of_a_programme_one_has_left_are_not_in_the_feed(
    network: Network, client: Any
) -> None:
    touchpoint = Touchpoint.objects.create(
        programme=network.programme, kind="closing", date=timezone.localdate()
    )
    Participant.objects.filter(pk=network.learner.pk).update(status="withdrawn")
    raw, _calendar = feed_of(client, network.personas.mentee)
    assert f"touchpoint-{touchpoint.pk}".encode() not in raw


def test_dates_at_the_end_of_the_calendar_do_not_break_the_feed(
    network: Network, pair: Pair, client: Any
) -> None:
    personas = network.personas
    meeting = meetings.meeting_schedule(
        pair=pair, actor=personas.mentee, starts_at=timezone.now() + dt.timedelta(days=2)
    )
    end = dt.datetime(9999, 12, 31, 23, 30, tzinfo=dt.UTC)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=end, duration_minutes=120)
    Touchpoint.objects.create(
        programme=network.programme, kind="closing", date=dt.date(9999, 12, 31)
    )
    workshop = event_services.event_create(
        programme=network.programme, title="Late", starts_at=end, actor=personas.manager
    )
    EventRegistration.objects.create(
        event=workshop, participant=network.learner, status="registered"
    )
    raw, calendar = feed_of(client, personas.mentee)
    check_rfc5545(raw, calendar)
    found = entries(calendar)
    assert found[f"{meeting.uid}@mentora"].decoded("DTSTART").year == 9999
    assert b"99991231" in raw


def test_old_entries_fall_out_of_the_feed(network: Network, pair: Pair, client: Any) -> None:
    meeting = meetings.meeting_schedule(
        pair=pair, actor=network.personas.mentee, starts_at=timezone.now() + dt.timedelta(days=2)
    )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(days=400))
    raw, _calendar = feed_of(client, network.personas.mentee)
    assert str(meeting.uid).encode() not in raw


# The settings page ---------------------------------------------------------------------------


def test_the_settings_page_shows_a_new_link_once(personas: Any, client_for: Any) -> None:
    client = client_for(personas.mentee)
    page = client.get(reverse("account_settings")).content.decode()
    assert "Make my calendar link" in page
    response = client.post(reverse("calendar_feed_renew"), follow=True)
    page = response.content.decode()
    match = re.search(r'value="(https?://[^"]+/calendar/([^"/]+)\.ics)"', page)
    assert match is not None
    token = match.group(2)
    assert client.get(reverse("calendar_feed", args=[token])).status_code == 200
    page = client.get(reverse("account_settings")).content.decode()
    assert token not in page and "You have a calendar link" in page
    # A new link from the page revokes the one shown before.
    client.post(reverse("calendar_feed_renew"))
    assert client.get(reverse("calendar_feed", args=[token])).status_code == 404


def test_stopping_the_link_asks_for_the_tick(personas: Any, client_for: Any) -> None:
    client = client_for(personas.mentee)
    token = token_for(personas.mentee)
    client.post(reverse("calendar_feed_stop"))
    assert fetch(client, token).status_code == 200
    response = client.post(reverse("calendar_feed_stop"), {"confirm": "on"})
    assert response.status_code == 302
    assert fetch(client, token).status_code == 404


@pytest.mark.parametrize("who", PERSONAS)
def test_everyone_makes_only_their_own_link(personas: Any, client_for: Any, who: str) -> None:
    user = personas.all()[who]
    response = client_for(user).post(reverse("calendar_feed_renew"))
    assert response.status_code == 302
    assert list(CalendarFeed.objects.values_list("user_id", flat=True)) == [user.pk]


def test_making_a_link_needs_a_login(client_for: Any, db: None) -> None:
    response = client_for(None).post(reverse("calendar_feed_renew"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not CalendarFeed.objects.exists()
