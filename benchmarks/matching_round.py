"""A matching round of 5,000 participants on PostgreSQL, from the click to stored proposals.

Usage:  .venv/bin/python benchmarks/matching_round.py [--participants 5000]
        [--database postgres://postgres@127.0.0.1:5432/mentora_bench_round]

The database named is dropped and created afresh. The timed part is what happens
between a manager pressing "Start a new round" and the proposals being stored: the
start service, then the worker's run (reading participants and the reporting tree,
the engine, storing every proposal with its explanation). The last line printed is
JSON: {"participants": n, "seconds": s}
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

from harness import add_database_argument, start_django

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
    add_database_argument(parser, "mentora_bench_round")
    args = parser.parse_args()
    start_django(args.database)
    from mentora.demo.seed import seed_demo
    from mentora.people.models import Person
    from mentora.programmes.models import Participant, Programme
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

    start = time.perf_counter()
    matching_round = rounds.round_start(programme=programme, actor=None)
    matching_round = rounds.round_run(round_id=matching_round.pk)
    seconds = time.perf_counter() - start
    report = matching_round.report
    print(
        f"status {matching_round.status}: {report.get('matched')} matched, "
        f"{report.get('unmatched')} unmatched, violations {report.get('violations')}",
        file=sys.stderr,
    )
    assert matching_round.status == "done", matching_round.error
    print(json.dumps({"participants": len(participants), "seconds": round(seconds, 2)}))


if __name__ == "__main__":
    main()
