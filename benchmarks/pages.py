"""Time the most used pages on the demo data, and weigh what a first visit downloads.

Usage:  .venv/bin/python benchmarks/pages.py [--runs 20] [--people 400]
                                              [--database sqlite:///PATH]

By default the demo organisation is seeded as `bin/run` does (`seed_demo`, 400 people;
`--people 20000` gives the organisation the load test uses) into a temporary SQLite
database; a PostgreSQL URL is dropped and created afresh. Each
page is requested by the persona who uses it, in the same process (Django's test
client: the server's work, without the network or the browser), once to warm up and
then `--runs` times; the median is printed against the 200 ms target. Then every
stylesheet and script the login page and the dashboard link (`<link rel="stylesheet">`,
`<script src>`) is fetched once and gzip-compressed, as a first visit downloads them;
their total is printed against the 150 kB target.
The last line printed is JSON:
{"runs": n, "pages": {name: median_ms, ...}, "slowest_ms": ms, "first_visit_kb": kb}.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import start_django

PAGE_TARGET_MS = 200
FIRST_VISIT_TARGET_KB = 150
ASSETS = re.compile(
    rb'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"|<script[^>]*src="([^"]+)"', re.I
)


def _pages() -> list[tuple[str, str, str]]:
    """(name, persona's e-mail, URL) of the pages people open most, in the demo."""
    from django.urls import reverse

    from mentora.relationships.models import Meeting, Pair
    from mentora.rounds.models import MatchingRound
    from mentora.surveys.models import Invitation

    pair = Pair.objects.filter(mentor__user__email="mentor@example.org").order_by("pk").first()
    assert pair is not None, "the demo has no pair for its mentor"
    programme_id = pair.programme_id
    meeting = Meeting.objects.filter(pair=pair).order_by("starts_at").first()
    matching_round = MatchingRound.objects.filter(programme_id=programme_id).first()
    evaluated = Invitation.objects.order_by("pk").select_related("survey").first()
    assert meeting and matching_round and evaluated, "the demo lacks a meeting, round or survey"
    manager, mentor, mentee = (f"{who}@example.org" for who in ("manager", "mentor", "mentee"))
    return [
        ("dashboard, manager", manager, reverse("dashboard")),
        ("dashboard, mentor", mentor, reverse("dashboard")),
        ("dashboard, mentee", mentee, reverse("dashboard")),
        ("dashboard, sponsor", "sponsor@example.org", reverse("dashboard")),
        ("programme overview", manager, reverse("programme_detail", args=[programme_id])),
        ("participants", manager, reverse("programme_pipeline", args=[programme_id])),
        ("round review", manager, reverse("round_detail", args=[matching_round.pk])),
        ("pair space", mentor, reverse("pair_workspace", args=[pair.pk])),
        ("meeting", mentor, reverse("meeting_detail", args=[meeting.pk])),
        (
            "report",
            manager,
            reverse("programme_report", args=[evaluated.survey.programme_id]),
        ),
        ("notifications", mentor, reverse("notification_inbox")),
        ("my programmes", mentee, reverse("my_programmes")),
        # The demo's surveys have closed, so no one has one to answer: its results instead.
        ("survey results", manager, reverse("survey_detail", args=[evaluated.survey_id])),
    ]


def _median_ms(client: Any, url: str, runs: int) -> float:
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, url
    return statistics.median(times)


def _first_visit_bytes(client: Any) -> tuple[int, list[tuple[str, int]]]:
    """Gzip-compressed bytes of every stylesheet and script on the login page and the
    dashboard, each counted once."""
    from django.contrib.staticfiles import finders
    from django.test import Client

    urls: list[str] = []
    for html in (Client().get("/login/").content, client.get("/dashboard/").content):
        for css, js in ASSETS.findall(html):
            url = (css or js).decode()
            if url not in urls:
                urls.append(url)
    sizes = []
    for url in urls:
        found = finders.find(url.split("?")[0].removeprefix("/static/"))
        assert found, f"{url} is not a static file"
        sizes.append((url, len(gzip.compress(Path(found).read_bytes(), compresslevel=9))))
    return sum(size for _, size in sizes), sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", default="")
    parser.add_argument("--people", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        start_django(args.database or f"sqlite:///{folder}/pages.sqlite3")
        from django.conf import settings
        from django.test import Client

        from mentora.accounts.models import User
        from mentora.demo.seed import seed_demo

        settings.ALLOWED_HOSTS = ["*"]
        # Every login would otherwise print a line.
        logging.getLogger("axes").setLevel(logging.WARNING)
        seed_demo(people=args.people)
        medians: dict[str, float] = {}
        clients: dict[str, Client] = {}
        for name, email, url in _pages():
            if email not in clients:
                clients[email] = Client()
                clients[email].force_login(User.objects.get(email=email))
            medians[name] = _median_ms(clients[email], url, args.runs)
            verdict = "ok" if medians[name] <= PAGE_TARGET_MS else "OVER"
            print(f"{name:22} {medians[name]:7.1f} ms  (target {PAGE_TARGET_MS} ms) {verdict}")
        total, sizes = _first_visit_bytes(clients["manager@example.org"])
        for url, size in sizes:
            print(f"  {url:40} {size / 1000:6.1f} kB gzip")
        verdict = "ok" if total <= FIRST_VISIT_TARGET_KB * 1000 else "OVER"
        print(
            f"first visit: {total / 1000:.1f} kB of CSS and JavaScript, gzip "
            f"(target {FIRST_VISIT_TARGET_KB} kB) {verdict}"
        )
        print(
            json.dumps(
                {
                    "runs": args.runs,
                    "pages": {name: round(ms, 1) for name, ms in medians.items()},
                    "slowest_ms": round(max(medians.values()), 1),
                    "first_visit_kb": round(total / 1000, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
