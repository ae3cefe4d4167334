"""Search the people directory of a 180,000-person organisation, a page at a time.

Usage:  .venv/bin/python benchmarks/directory.py [--people 180000] [--runs 15] [--reuse]
        [--database postgres://postgres@127.0.0.1:5432/mentora_bench_directory]

The database named is dropped and created afresh (with `--reuse`, kept when it holds the
demo organisation at that size already), and the demo organisation is seeded at
`--people` (`seed_demo`, the time it took is printed). A sqlite:/// URL is used as it is.
Each search is requested by the organisation admin as the page `people_directory` (the
whole view: access, filters, sorted query, count, template), once to warm up and then
`--runs` times, in the same process (Django's test client: the server's work, without the
network or the browser). The searches: an empty one, a name prefix, a first and last
name, a full e-mail address, a unit's name, an employee id, and a later page of a name.
The last line printed is JSON: {"people": n, "seed_s": s or null, "pages": {name:
{"median_ms": m, "p95_ms": m, "found": k}}, "median_ms": m, "p95_ms": m}.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import time
from typing import Any

from harness import add_database_argument, start_django

PAGE_TARGET_MS = 200
FOUND = re.compile(r'data-found="([0-9]+)"')


def _searches(organisation: Any) -> dict[str, dict[str, str]]:
    """The searches, drawn from the organisation's own people so that each finds someone."""
    from mentora.people.models import Person

    someone = (
        Person.objects.filter(
            organisation=organisation, leave_date__isnull=True, org_unit__isnull=False
        )
        .exclude(email="")
        .select_related("org_unit")
        .order_by("-pk")
        .first()
    )
    assert someone is not None and someone.org_unit is not None
    return {
        "empty search": {},
        "name prefix": {"q": someone.last_name[:3].lower()},
        "first and last name": {"q": f"{someone.first_name} {someone.last_name}"},
        "full e-mail": {"q": someone.email},
        "unit name": {"q": someone.org_unit.name},
        "employee id": {"q": someone.employee_id},
        "page 20 of a name": {"q": someone.last_name, "page": "20"},
    }


def _time(client: Any, url: str, params: dict[str, str], runs: int) -> tuple[list[float], int]:
    response = client.get(url, params)
    assert response.status_code == 200, params
    found = FOUND.search(response.content.decode())
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, params
    return times, int(found.group(1)) if found else -1


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=180_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reuse", action="store_true")
    add_database_argument(parser, "mentora_bench_directory")
    args = parser.parse_args()
    start_django(args.database, fresh=not args.reuse)
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from mentora.accounts.models import User
    from mentora.demo.seed import ORGANISATION_SLUG, seed_demo
    from mentora.people.models import Person

    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("axes").setLevel(logging.WARNING)
    seed_s = None
    if Person.objects.filter(organisation__slug=ORGANISATION_SLUG).count() < args.people:
        began = time.perf_counter()
        seed_demo(people=args.people)
        seed_s = round(time.perf_counter() - began, 1)
        print(f"seeded {args.people} people in {seed_s} s")
    admin = User.objects.get(email="orgadmin@example.org")
    client = Client()
    client.force_login(admin)
    url = reverse("people_directory", args=[ORGANISATION_SLUG])
    organisation = admin.memberships.get().organisation
    pages: dict[str, dict[str, float]] = {}
    every: list[float] = []
    for name, params in _searches(organisation).items():
        times, found = _time(client, url, params, args.runs)
        every += times
        median = statistics.median(times)
        pages[name] = {
            "median_ms": round(median, 1),
            "p95_ms": round(_p95(times), 1),
            "found": found,
        }
        verdict = "ok" if median <= PAGE_TARGET_MS else "OVER"
        print(
            f"{name:20} {median:7.1f} ms median, {_p95(times):7.1f} ms p95, {found:6} found"
            f"  (target {PAGE_TARGET_MS} ms) {verdict}"
        )
    print(
        json.dumps(
            {
                "people": Person.objects.filter(organisation=organisation).count(),
                "seed_s": seed_s,
                "pages": pages,
                "median_ms": round(statistics.median(every), 1),
                "p95_ms": round(_p95(every), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
