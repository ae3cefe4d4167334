"""Fetch a busy person's calendar subscription the way a calendar client does, in
PostgreSQL.

Usage:  .venv/bin/python benchmarks/calendar_feed.py [--pairs 20] [--meetings 30]
        [--repeat 15] [--database postgres://postgres@127.0.0.1:5432/mentora_bench_feed]

The database named is dropped and created afresh. One mentor has `pairs` pairs with
`meetings` meetings each (a tenth cancelled), offers as many flash conversations as pairs
(all booked), holds places at 40 events and takes part in a programme with 40
touchpoints. Each fetch is timed as a request to `calendar_feed` (the whole view: the
token's lookup, the queries and the iCalendar text). The last line printed is JSON:
{"entries": n, "bytes": b, "median_ms": m, "queries": q}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time

from harness import add_database_argument, start_django


def seed(pairs: int, meetings: int) -> str:
    """The busy mentor and everything in their calendar; returns their feed's token."""
    from django.utils import timezone

    from mentora.accounts.models import Organisation, User
    from mentora.accounts.services import calendar_feed_renew
    from mentora.events.models import Event, EventRegistration
    from mentora.people.models import Person
    from mentora.programmes.models import Participant, Programme, Touchpoint
    from mentora.relationships.models import FlashBooking, FlashSlot, Meeting, Pair

    now = timezone.now()
    organisation = Organisation.objects.create(name="Bench Corp", slug="bench")
    mentor_user = User.objects.create_user(email="mentor@bench.example", password="pw")

    def person(n: int, user: object = None) -> Person:
        return Person.objects.create(
            organisation=organisation,
            employee_id=f"E{n:05d}",
            first_name="Person",
            last_name=str(n),
            user=user,
        )

    programme = Programme.objects.create(organisation=organisation, name="Busy programme")
    network = Programme.objects.create(
        organisation=organisation, name="Experts", kind="expert_network"
    )
    me = person(0, mentor_user)
    mentor = Participant.objects.create(
        programme=programme, person=me, user=mentor_user, role="mentor", status="active"
    )
    expert = Participant.objects.create(
        programme=network, person=me, user=mentor_user, role="mentor", status="active"
    )
    for n in range(pairs):
        mentee = Participant.objects.create(
            programme=programme, person=person(n + 1), role="mentee", status="active"
        )
        pair = Pair.objects.create(programme=programme, mentee=mentee, mentor=mentor)
        Meeting.objects.bulk_create(
            Meeting(
                pair=pair,
                starts_at=now + dt.timedelta(days=7 * m - 60),
                mode="in_person",
                place="Room 4",
                agenda="private",
                cancelled_at=now if m % 10 == 0 else None,
                sequence=1 if m % 10 == 0 else 0,
            )
            for m in range(meetings)
        )
        learner = Participant.objects.create(
            programme=network, person=person(10_000 + n), role="mentee", status="active"
        )
        slot = FlashSlot.objects.create(
            expert=expert, starts_at=now + dt.timedelta(days=n), place="Café"
        )
        FlashBooking.objects.create(slot=slot, learner=learner)
    for n in range(40):
        event = Event.objects.create(
            programme=programme, title=f"Workshop {n}", starts_at=now + dt.timedelta(days=n)
        )
        EventRegistration.objects.create(event=event, participant=mentor, status="registered")
        Touchpoint.objects.create(
            programme=programme, kind="midway", date=now.date() + dt.timedelta(days=n)
        )
    return calendar_feed_renew(user=mentor_user, actor=mentor_user)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--meetings", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=15)
    add_database_argument(parser, "mentora_bench_feed")
    options = parser.parse_args()
    start_django(options.database)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from icalendar import Calendar

    token = seed(options.pairs, options.meetings)
    client = Client(HTTP_HOST="localhost")
    url = reverse("calendar_feed", args=[token])
    samples = []
    body = b""
    for _ in range(options.repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        body = response.content
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    entries = len(Calendar.from_ical(body).walk("VEVENT"))
    median = statistics.median(samples)
    print(f"{entries} entries, {len(body) / 1024:.0f} KiB: median {median:.1f} ms per fetch")
    print(
        json.dumps(
            {
                "entries": entries,
                "bytes": len(body),
                "median_ms": round(median, 1),
                "queries": len(captured),
            }
        )
    )


if __name__ == "__main__":
    main()
