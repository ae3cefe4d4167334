"""Import a realistic 180,000-row HR export into PostgreSQL, then import it again.

Usage:  .venv/bin/python benchmarks/import_people.py [--rows 180000]
        [--database postgres://postgres@127.0.0.1:5432/mentora_bench_import]

The database named is dropped and created afresh. The last line printed is JSON:
{"rows": n, "first_import_seconds": s, "reimport_seconds": s, "peak_rss_mb": m}
Seconds cover the whole import as a user runs it: reading, checking, comparing
with the database and writing.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import resource
import sys
import time

from harness import add_database_argument, start_django

FIRST = [
    "Anna",
    "Mette",
    "Sofie",
    "Ida",
    "Lars",
    "Mads",
    "Søren",
    "Priya",
    "Wei",
    "Omar",
    "James",
    "Laura",
    "Nora",
    "Henrik",
    "Fatima",
    "Kenji",
    "Ingrid",
    "Diego",
    "Emma",
    "Ravi",
]
LAST = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Larsen",
    "Olsen",
    "Berg",
    "Smith",
    "Patel",
    "Khan",
    "Chen",
    "Tan",
    "Garcia",
    "Brown",
    "Holm",
    "Dahl",
    "Nguyen",
]
SITES = [
    ("Copenhagen", "Europe/Copenhagen"),
    ("Aarhus", "Europe/Copenhagen"),
    ("Oslo", "Europe/Oslo"),
    ("London", "Europe/London"),
    ("Chicago", "America/Chicago"),
    ("Bangalore", "Asia/Kolkata"),
    ("Singapore", "Asia/Singapore"),
]


def generate(rows: int) -> bytes:
    """An export shaped like a large employer's: divisions, departments, teams of about 12."""
    from mentora.people.importer.rows import COLUMNS

    rng = random.Random(180_000)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0

    def person(manager: str, division: str, department: str, team: str, level: int) -> str:
        nonlocal count
        count += 1
        employee_id = f"E{count:07d}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        site, tz = rng.choice(SITES)
        hired = dt.date(2025, 1, 1) - dt.timedelta(days=rng.randint(0, 9000))
        writer.writerow(
            [
                employee_id,
                first,
                last,
                f"{employee_id.lower()}@corp.example",
                manager,
                division,
                department,
                team,
                f"Level {level} specialist",
                level,
                site,
                tz,
                "en;da",
                hired.isoformat(),
                "",
                rng.choice(["female", "male", ""]),
            ]
        )
        return employee_id

    ceo = person("", "", "", "", 12)
    d = 0
    while count < rows:
        d += 1
        division = f"Division {d}"
        head = person(ceo, division, "", "", 11)
        for dep in range(1, 21):
            department = f"Department {d}.{dep}"
            dep_head = person(head, division, department, "", 10)
            for t in range(1, 21):
                team = f"Team {d}.{dep}.{t}"
                lead = person(dep_head, division, department, team, 8)
                for _ in range(rng.randint(8, 14)):
                    if count >= rows:
                        break
                    person(lead, division, department, team, rng.randint(2, 7))
                if count >= rows:
                    break
            if count >= rows:
                break
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=180_000)
    add_database_argument(parser, "mentora_bench_import")
    args = parser.parse_args()
    start_django(args.database)
    from mentora.accounts.models import Organisation
    from mentora.people.importer.plan import apply_plan, plan_import

    organisation = Organisation.objects.create(name="Bench Corp", slug="bench")
    data = generate(args.rows)
    lines = data.count(b"\n") - 1
    print(f"generated {lines} rows ({len(data) / 1e6:.1f} MB)", file=sys.stderr)

    def run() -> tuple[float, dict[str, int]]:
        start = time.perf_counter()
        plan = plan_import(organisation=organisation, name="hr.csv", stream=io.BytesIO(data))
        assert plan.ok, plan.problems[:5]
        counts = apply_plan(plan)
        return time.perf_counter() - start, counts

    first, counts = run()
    print(f"first import: {first:.1f} s {counts}", file=sys.stderr)
    again, counts_again = run()
    print(f"re-import: {again:.1f} s {counts_again}", file=sys.stderr)
    assert counts_again["created"] == 0 and counts_again["updated"] == 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rows": counts["rows"],
                "first_import_seconds": round(first, 2),
                "reimport_seconds": round(again, 2),
                "peak_rss_mb": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
