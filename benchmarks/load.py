"""Load the production topology with simulated people: every persona's main journeys,
through HAProxy, two application servers and three workers (tests/topology.py), on the
demo organisation scaled up with `seed_demo --people N`.

Usage:  .venv/bin/python benchmarks/load.py [--people 20000] [--users 100]
                                             [--warmup 90] [--seconds 120]

Each simulated person logs in through the real log-in form once (PBKDF2, as in
production), then opens pages of their role with a think time of 3 to 8 seconds between
them: programme managers (dashboard, programmes, a programme's overview and participants,
the matching round review, the outcome report), mentors and mentees (dashboard, pair
space, a meeting, their programmes), and sponsors (dashboard, the outcome report).
Locust runs headless, in library mode, in a child process, against loopback only. What
is measured is the `--seconds` after a `--warmup` in which everyone has logged in; the
log-ins are reported on a line of their own. Run it on an otherwise idle machine: every
process shares its cores. The last line printed is JSON:
{"users": u, "requests": n, "errors": e, "p50_ms": a, "p95_ms": b, "p99_ms": c, "rps": r}.
Targets: 0 errors and p95 <= 300 ms with 100 users.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

P95_TARGET_MS = 300

# Pages each persona opens, found in the seeded demo by the topology's own Django.
JOURNEYS = """
import json
from django.urls import reverse
from mentora.relationships.models import Meeting, Pair
from mentora.rounds.models import MatchingRound
from mentora.surveys.models import Invitation

pair = Pair.objects.filter(mentor__user__email="mentor@example.org").order_by("pk").first()
mentee_pair = Pair.objects.filter(mentee__user__email="mentee@example.org").first()
mentee_space = reverse("notification_inbox")
if mentee_pair:
    mentee_space = reverse("pair_workspace", args=[mentee_pair.pk])
meeting = Meeting.objects.filter(pair=pair).order_by("starts_at").first()
programme = pair.programme_id
review = MatchingRound.objects.filter(status="done", mentee__isnull=True).order_by("pk").first()
evaluated = Invitation.objects.order_by("pk").select_related("survey").first().survey
report = reverse("programme_report", args=[evaluated.programme_id])
print(json.dumps({
    "manager@example.org": [
        reverse("dashboard"),
        reverse("programme_list"),
        reverse("programme_detail", args=[programme]),
        reverse("programme_pipeline", args=[programme]),
        reverse("round_detail", args=[review.pk]),
        report,
    ],
    "mentor@example.org": [
        reverse("dashboard"),
        reverse("pair_workspace", args=[pair.pk]),
        reverse("meeting_detail", args=[meeting.pk]),
        reverse("notification_inbox"),
    ],
    "mentee@example.org": [
        reverse("dashboard"),
        reverse("my_programmes"),
        mentee_space,
    ],
    "sponsor@example.org": [reverse("dashboard"), report],
}))
"""

# How many of the simulated people take each role.
WEIGHTS = {
    "manager@example.org": 2,
    "mentor@example.org": 4,
    "mentee@example.org": 4,
    "sponsor@example.org": 1,
}


def run_locust(config: dict[str, Any]) -> dict[str, Any]:
    """In this (child) process: gevent-based Locust against `config["host"]`."""
    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment

    journeys: dict[str, list[str]] = config["journeys"]

    def user_class(email: str, pages: list[str]) -> type[HttpUser]:
        class Person(HttpUser):
            wait_time = between(3, 8)
            weight = WEIGHTS[email]

            def on_start(self) -> None:
                page = self.client.get("/login/", name="log in (form)")
                token = page.cookies.get("csrftoken") or self.client.cookies.get("csrftoken")
                self.client.post(
                    "/login/",
                    {"csrfmiddlewaretoken": token, "username": email, "password": "demo"},
                    name="log in",
                )

            @task
            def journey(self) -> None:
                for path in pages:
                    with self.client.get(path, name=path, catch_response=True) as answer:
                        if answer.status_code != 200 or 'name="password"' in answer.text:
                            answer.failure(f"{answer.status_code} on {path}")
                    self.wait()

        Person.__name__ = email.split("@")[0].title()
        return Person

    env = Environment(
        user_classes=[user_class(email, pages) for email, pages in journeys.items()],
        host=config["host"],
    )
    runner = env.create_local_runner()
    runner.start(config["users"], spawn_rate=max(1, config["users"] / 30))
    gevent.sleep(config["warmup"])
    logins = env.stats.get("log in", "POST")
    login_line = {
        "logins": logins.num_requests,
        "login_failures": logins.num_failures,
        "login_p95_ms": logins.get_response_time_percentile(0.95),
    }
    env.stats.reset_all()
    began = time.monotonic()
    gevent.sleep(config["seconds"])
    total = env.stats.total
    elapsed = time.monotonic() - began
    result = {
        "users": runner.user_count,
        "requests": total.num_requests,
        "errors": total.num_failures,
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "p99_ms": total.get_response_time_percentile(0.99),
        "rps": round(total.num_requests / elapsed, 1),
    }
    slowest = sorted(
        (
            (entry.get_response_time_percentile(0.95), name)
            for (name, _method), entry in env.stats.entries.items()
        ),
        reverse=True,
    )[:5]
    errors = {
        f"{value.method} {value.name}: {value.error}"[:200]: value.occurrences
        for value in env.stats.errors.values()
    }
    runner.quit()
    return {"logins": login_line, "slowest_p95": slowest, "errors": errors, "result": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--warmup", type=float, default=90)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--locust", help=argparse.SUPPRESS)  # the child's configuration
    args = parser.parse_args()
    if args.locust:
        print(json.dumps(run_locust(json.loads(args.locust))))
        return

    from tests.topology import Topology

    began = time.monotonic()
    with Topology.start(people=args.people) as topology:
        print(f"topology ready in {time.monotonic() - began:.0f} s: {topology.timings}")
        journeys = json.loads(topology.manage("shell", "-c", JOURNEYS).strip().splitlines()[-1])
        people = topology.sql("SELECT count(*) FROM people_person")[0][0]
        config = {
            "host": topology.base,
            "journeys": journeys,
            "users": args.users,
            "warmup": args.warmup,
            "seconds": args.seconds,
        }
        load_before = os.getloadavg()
        child = subprocess.run(  # noqa: S603 - this very script
            [sys.executable, __file__, "--locust", json.dumps(config)],
            capture_output=True,
            text=True,
            timeout=args.warmup + args.seconds + 300,
            check=False,
        )
        load_after = os.getloadavg()
        if child.returncode:
            raise SystemExit(child.stderr[-4000:])
        report = json.loads(child.stdout.strip().splitlines()[-1])
    result = report["result"]
    print(f"people in the database: {people}; machine: {os.cpu_count()} cores")
    print(f"load average before: {load_before}, after: {load_after}")
    print(f"log-ins (during the warm-up): {report['logins']}")
    print(f"slowest pages (p95 ms): {report['slowest_p95']}")
    if report["errors"]:
        print(f"errors: {report['errors']}")
    verdict = "meets" if result["errors"] == 0 and result["p95_ms"] <= P95_TARGET_MS else "misses"
    print(f"{verdict} the target (0 errors, p95 <= {P95_TARGET_MS} ms)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
