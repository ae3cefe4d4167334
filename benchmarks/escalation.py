"""Time the daily pair run (`send_pair_reminders`) on a programme with many pairs: the
"Did you meet?" questions and the escalation ladder.

Usage:  .venv/bin/python benchmarks/escalation.py [--pairs 2000]
        [--database postgres://postgres@127.0.0.1:5432/mentora_bench_escalation]

A PostgreSQL database named is dropped and created afresh (a sqlite:/// URL is used as
it is, after migrating). Each pair started 120 days ago and met three times; a third met
last three weeks ago, a third six weeks ago and a third three months ago (so two thirds
are due a nudge), and every pair had a meeting yesterday that did not happen. The ladder
is timed on its first run (which takes the steps and queues the e-mails) and again on the
same day (which finds each step already taken); then "Did you meet?" is asked about
yesterday's meetings.
The last line printed is JSON:
{"pairs": n, "ladder_first_seconds": s, "ladder_again_seconds": s, "steps": {...},
 "checkins_seconds": s, "asked": n}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

from harness import add_database_argument, start_django


def _build(pairs: int) -> None:
    from django.utils import timezone

    from mentora.accounts.models import Organisation, User
    from mentora.people.models import Person
    from mentora.programmes.models import Participant, Programme
    from mentora.relationships.models import Meeting, Pair

    now = timezone.now()
    organisation = Organisation.objects.create(name="Bench A/S", slug="bench")
    programme = Programme.objects.create(
        organisation=organisation,
        name="Bench",
        start_date=timezone.localdate() - dt.timedelta(days=130),
        end_date=timezone.localdate() + dt.timedelta(days=170),
    )
    users = User.objects.bulk_create(
        User(email=f"p{i}@bench.example", full_name=f"P {i}", password="!")
        for i in range(2 * pairs)
    )
    persons = Person.objects.bulk_create(
        Person(
            organisation=organisation,
            employee_id=f"P{i}",
            first_name="P",
            last_name=str(i),
            user=users[i],
        )
        for i in range(2 * pairs)
    )
    participants = Participant.objects.bulk_create(
        Participant(
            programme=programme,
            person=persons[i],
            user=users[i],
            role="mentee" if i % 2 else "mentor",
            status="active",
        )
        for i in range(2 * pairs)
    )
    made = Pair.objects.bulk_create(
        Pair(
            programme=programme,
            mentee=participants[2 * i + 1],
            mentor=participants[2 * i],
            started_at=now - dt.timedelta(days=120),
        )
        for i in range(pairs)
    )
    meetings = []
    for i, pair in enumerate(made):
        last = (21, 42, 90)[i % 3]
        for days in (110, 100, last):
            meetings.append(
                Meeting(pair=pair, starts_at=now - dt.timedelta(days=days), mode="in_person")
            )
        # Yesterday's meeting that was not held: a "Did you meet?" to ask, and quiet still.
        meetings.append(
            Meeting(
                pair=pair,
                starts_at=now - dt.timedelta(days=1),
                mode="online",
                link="https://meet.example/b",
                happened=False,
            )
        )
    Meeting.objects.bulk_create(meetings, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000)
    add_database_argument(parser, "mentora_bench_escalation")
    args = parser.parse_args()
    start_django(args.database)
    _build(args.pairs)

    from mentora.relationships.models import Meeting
    from mentora.relationships.services.checkins import checkins_due
    from mentora.relationships.services.support import pairs_escalate

    started = time.perf_counter()
    steps = pairs_escalate()
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = pairs_escalate()
    second = time.perf_counter() - started
    assert sum(again.values()) == 0, again
    # Nobody has answered yet: every one of yesterday's meetings is asked about.
    Meeting.objects.update(happened=None)
    started = time.perf_counter()
    asked = checkins_due()
    checkins = time.perf_counter() - started
    print(f"{args.pairs} pairs: ladder {first:.2f} s first, {second:.2f} s again; {steps}")
    print(f"'Did you meet?' for {asked} meetings in {checkins:.2f} s")
    print(
        json.dumps(
            {
                "pairs": args.pairs,
                "ladder_first_seconds": round(first, 3),
                "ladder_again_seconds": round(second, 3),
                "steps": steps,
                "checkins_seconds": round(checkins, 3),
                "asked": asked,
            }
        )
    )


if __name__ == "__main__":
    main()
