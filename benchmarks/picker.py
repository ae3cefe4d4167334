"""Search a 180,000-person directory the way the people picker does, in PostgreSQL.

Usage:  .venv/bin/python benchmarks/picker.py [--people 180000] [--repeat 15]
        [--database postgres://postgres@127.0.0.1:5432/mentora_bench_picker]

The database named is dropped and created afresh, and filled with one organisation's
people in about 1,500 teams. Each search is timed as a request to `people_search` (the
whole view: access, form, query, JSON), and next to it, in the same process and on the
same connection, the bare SQL of a one-column prefix search, as the floor to compare with.
The last line printed is JSON: {"people": n, "searches": {q: {"median_ms": m,
"found": k}}, "median_ms": m, "sql_median_ms": m, "plan_uses_index": bool}.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time

from harness import add_database_argument, start_django
from import_people import FIRST, LAST

ENDINGS = ["", "sen", "gaard", "holm", "berg", "strup", "lund", "ström", "feld", "by"]
SEARCHES = ["an", "lars", "nielsen", "holmb", "e00123", "anna berg", "team 12", "zz"]


def seed(people: int) -> object:
    """An organisation with `people` people, an admin who may search them, and their units."""
    from mentora.accounts.models import Membership, Organisation, Role, User
    from mentora.people.models import OrgUnit, OrgUnitKind, Person

    rng = random.Random(people)
    organisation = Organisation.objects.create(name="Bench Corp", slug="bench")
    admin = User.objects.create_user(email="admin@bench.example", password="pw")
    Membership.objects.create(user=admin, organisation=organisation, role=Role.ORG_ADMIN)
    teams = OrgUnit.objects.bulk_create(
        OrgUnit(organisation=organisation, name=f"Team {n}", kind=OrgUnitKind.TEAM)
        for n in range(max(1, people // 120))
    )
    batch: list[Person] = []
    for n in range(people):
        first = rng.choice(FIRST)
        last = rng.choice(LAST) + rng.choice(ENDINGS)
        batch.append(
            Person(
                organisation=organisation,
                employee_id=f"E{n:07d}",
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{n}@corp.example".lower(),
                job_title="Specialist",
                org_unit=rng.choice(teams),
            )
        )
        if len(batch) == 5000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_person")
        cursor.execute("ANALYZE people_orgunit")
    return admin, organisation


def timed(run: object, repeat: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=180_000)
    parser.add_argument("--repeat", type=int, default=15)
    add_database_argument(parser, "mentora_bench_picker")
    args = parser.parse_args()
    start_django(args.database)

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    started = time.perf_counter()
    admin, organisation = seed(args.people)
    print(f"seeded {args.people} people in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    setup_test_environment()  # lets the test client's host in
    client = Client()
    client.force_login(admin)
    url = reverse("people_search", args=["bench"])
    searches: dict[str, dict[str, float | int]] = {}
    for q in SEARCHES:
        median, response = timed(lambda q=q: client.get(url, {"q": q}), args.repeat)
        assert response.status_code == 200, response.content  # type: ignore[attr-defined]
        found = len(response.json()["results"])  # type: ignore[attr-defined]
        searches[q] = {"median_ms": round(median, 2), "found": found}
        print(f"{q!r:14} {median:8.2f} ms  {found} found", file=sys.stderr)

    sql = (
        "SELECT id, first_name, last_name FROM people_person WHERE organisation_id = %s "
        "AND UPPER(last_name::text) LIKE %s ORDER BY last_name, first_name, id LIMIT 21"
    )

    def bare() -> list[tuple[object, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [organisation.pk, "NIELSEN%"])  # type: ignore[attr-defined]
            return cursor.fetchall()

    sql_median, _rows = timed(bare, args.repeat)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, [organisation.pk, "NIELSEN%"])  # type: ignore[attr-defined]
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"bare SQL       {sql_median:8.2f} ms\n{plan}", file=sys.stderr)
    print(
        json.dumps(
            {
                "people": args.people,
                "searches": searches,
                "median_ms": round(statistics.median(s["median_ms"] for s in searches.values()), 2),
                "sql_median_ms": round(sql_median, 2),
                "plan_uses_index": "person_last_name_prefix" in plan,
            }
        )
    )


if __name__ == "__main__":
    main()
