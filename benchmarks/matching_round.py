"""A matching round of 5,000 (or 20,000) participants on PostgreSQL, from the click to stored
proposals, against the engine's own time, and the round's review page at that size.

Usage:  .venv/bin/python benchmarks/matching_round.py [--participants 5000] [--runs 5]
        [--rounds 3] [--database postgres://postgres@127.0.0.1:5432/mentora_bench_round]

The database named is dropped and created afresh, seeded, analysed (as autovacuum would
within a minute) and checkpointed (so that the seeding's writes are not flushed during a
timed round; CHECKPOINT needs a superuser or the pg_checkpoint role). The timed part is
what happens between a manager pressing "Start a new round" and the proposals being
stored: the start service, then the worker's run (reading participants and the reporting
tree, the engine, storing every proposal with its explanation), `--rounds` times over the
same participants. Then the engine alone is timed as often on the same problem (its input
read again, timed on its own), and the ratio of the two medians is printed; the first
round, which also loads code in a fresh process, is printed too. The engine's time varies
more from run to run than the rest, so the time a round spends beside its engine (its
round's time less the engine's own stages, as its report gives them) is printed as well.
Last, the programme manager requests the review page (the first page, the last page and a
search by name), once to warm up and then `--runs` times each, in the same process
(Django's test client: the server's work, without the network or the browser).
The last line printed is JSON: {"participants": n, "seconds": s, "first_round_seconds": s,
"input_seconds": s, "engine_seconds": s, "rest_seconds": s, "ratio": r,
"review_pages": {name: median_ms}, "review_pages_max_ms": ms}
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import random
import statistics
import sys
import time

from harness import add_database_argument, start_django

# The proposals on one page of the review (the page's own size), and its target.
REVIEW_PAGE = 50
REVIEW_TARGET_MS = 500
THEMES = [
    "leadership",
    "negotiation",
    "career",
    "networking",
    "strategy",
    "data",
    "sales",
    "finance",
    "communication",
    "innovation",
    "wellbeing",
    "project management",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    add_database_argument(parser, "mentora_bench_round")
    args = parser.parse_args()
    start_django(args.database)
    from django.db import DatabaseError, connection

    from mentora.demo.seed import seed_demo
    from mentora.matching import match
    from mentora.people.models import Person
    from mentora.programmes.models import Participant, Programme
    from mentora.rounds.problem import build_input
    from mentora.rounds.services import rounds

    # An organisation three times the size of the cohort, so reporting lines matter.
    summary = seed_demo(people=args.participants * 3)
    organisation = summary.organisation
    rng = random.Random(5000)
    people = list(Person.objects.filter(organisation=organisation).order_by("pk"))
    rng.shuffle(people)
    mentors_n = args.participants // 3
    mentors = sorted(people[:mentors_n], key=lambda p: -(p.level or 0))
    mentees = people[mentors_n : args.participants]
    programme = Programme.objects.create(
        organisation=organisation, name="Benchmark cohort", max_mentees_per_mentor=3
    )
    participants = [
        Participant(
            programme=programme,
            person=p,
            role="mentor",
            status="ready",
            profile={"themes": rng.sample(THEMES, 3), "capacity": 3},
        )
        for p in mentors
    ] + [
        Participant(
            programme=programme,
            person=p,
            role="mentee",
            status="ready",
            profile={
                "themes": rng.sample(THEMES, 2),
                "preferences": [str(m.pk) for m in rng.sample(mentors, 2)],
            },
        )
        for p in mentees
    ]
    Participant.objects.bulk_create(participants, batch_size=2000)
    print(
        f"{len(participants)} participants ready ({len(mentees)} mentees, {len(mentors)} mentors)",
        file=sys.stderr,
    )
    # A worker holds none of the seeding's objects: left in memory, they made every garbage
    # collection between the timed rounds (and inside the engine alone) walk them all.
    size = len(participants)
    del summary, people, mentors, mentees, participants
    gc.collect()

    # The statistics PostgreSQL's autovacuum gathers within a minute of so many new rows,
    # and the seeding's writes flushed: else the checkpoint they call for may fall in the
    # middle of a timed round.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            try:
                cursor.execute("CHECKPOINT")
            except DatabaseError:
                print(
                    "no CHECKPOINT (it needs a superuser or the pg_checkpoint role): the "
                    "seeding's writes may still be flushed while a round is timed",
                    file=sys.stderr,
                )
    # The round as the manager starts it, `--rounds` times over the same participants; the
    # first in a fresh process also loads code and warms caches, so the median is compared.
    round_seconds, rest_seconds = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        matching_round = rounds.round_start(programme=programme, actor=None)
        matching_round = rounds.round_run(round_id=matching_round.pk)
        round_seconds.append(time.perf_counter() - start)
        assert matching_round.status == "done", matching_round.error
        # The round's own report says how long its engine took: the rest is the app's.
        rest_seconds.append(round_seconds[-1] - sum(matching_round.report["seconds"].values()))
    report = matching_round.report
    print(
        f"status {matching_round.status}: {report.get('matched')} matched, "
        f"{report.get('unmatched')} unmatched, violations {report.get('violations')}",
        file=sys.stderr,
    )

    # The engine alone, on the same problem, as many times; its input is timed on its own.
    input_seconds, engine_seconds = [], []
    for _ in range(args.rounds):
        began = time.perf_counter()
        data = build_input(programme)
        input_seconds.append(time.perf_counter() - began)
        began = time.perf_counter()
        match(problem=data.problem, policy=data.policy)
        engine_seconds.append(time.perf_counter() - began)
    seconds = statistics.median(round_seconds)
    engine = statistics.median(engine_seconds)
    ratio = seconds / engine
    print(
        f"in the app {_listed(round_seconds)} s, the engine alone {_listed(engine_seconds)} s; "
        f"medians {seconds:.2f} s and {engine:.2f} s: {ratio:.2f}x (target 2x); reading the "
        f"input alone {_listed(input_seconds)} s; in the app beside its engine (reading the "
        f"input, storing the proposals) {_listed(rest_seconds)} s",
        file=sys.stderr,
    )
    pages = _review_pages(matching_round, args.runs)
    print(
        json.dumps(
            {
                "participants": size,
                "seconds": round(seconds, 2),
                "first_round_seconds": round(round_seconds[0], 2),
                "input_seconds": round(statistics.median(input_seconds), 2),
                "engine_seconds": round(engine, 2),
                "rest_seconds": round(statistics.median(rest_seconds), 2),
                "ratio": round(ratio, 2),
                "review_pages": pages,
                "review_pages_max_ms": max(pages.values()),
            }
        )
    )


def _listed(seconds: list[float]) -> str:
    return ", ".join(f"{s:.2f}" for s in seconds)


def _review_pages(matching_round: object, runs: int) -> dict[str, float]:
    """The median time of the round's review page as its programme manager sees it: the
    first page, the last page and a search by a mentee's last name."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from mentora.accounts.models import User
    from mentora.rounds.models import MatchingRound

    assert isinstance(matching_round, MatchingRound)
    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("axes").setLevel(logging.WARNING)
    client = Client()
    client.force_login(User.objects.get(email="manager@example.org"))
    url = reverse("round_detail", args=[matching_round.pk])
    proposals = matching_round.proposals.count()
    last_page = str(-(-proposals // REVIEW_PAGE))
    someone = matching_round.proposals.select_related("mentee__person").first()
    assert someone is not None
    searches = {
        "first page": {},
        f"last page ({last_page})": {"page": last_page},
        "search by name": {"q": someone.mentee.person.last_name},
    }
    medians: dict[str, float] = {}
    for name, params in searches.items():
        assert client.get(url, params).status_code == 200
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
        medians[name] = round(statistics.median(times), 1)
        verdict = "ok" if medians[name] <= REVIEW_TARGET_MS else "OVER"
        print(
            f"review page, {name:20} {medians[name]:7.1f} ms (target {REVIEW_TARGET_MS} ms) "
            f"{verdict}",
            file=sys.stderr,
        )
    return medians


if __name__ == "__main__":
    main()
