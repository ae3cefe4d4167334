"""Time the REST API's busiest answers on the demo data, as a programme manager's token.

Usage:  .venv/bin/python benchmarks/api.py [--runs 20] [--database sqlite:///PATH]

The demo organisation is seeded as `bin/run` does (`seed_demo`, 400 people) into a
temporary SQLite database (a PostgreSQL URL is dropped and created afresh). Each endpoint
is requested with the manager's personal token, in the same process (Django's test client:
the server's work, without the network), once to warm up and then `--runs` times; the
median is printed against the pages' 200 ms target.
The last line printed is JSON: {"runs": n, "endpoints": {name: median_ms, ...}, "slowest_ms": ms}.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from typing import Any

from harness import start_django

TARGET_MS = 200


def _endpoints() -> list[tuple[str, str]]:
    from mentora.relationships.models import Pair
    from mentora.rounds.models import MatchingRound
    from mentora.surveys.models import Survey

    pair = Pair.objects.filter(mentor__user__email="mentor@example.org").order_by("pk").first()
    assert pair is not None, "the demo has no pair for its mentor"
    programme = pair.programme_id
    matching_round = MatchingRound.objects.filter(programme_id=programme).first()
    survey = Survey.objects.order_by("pk").first()
    assert matching_round and survey, "the demo lacks a round or a survey"
    return [
        ("programmes", "/api/v1/programmes/"),
        ("participants, 100", f"/api/v1/programmes/{programme}/participants/"),
        ("pairs with health, 100", f"/api/v1/programmes/{programme}/pairs/"),
        ("round with proposals", f"/api/v1/rounds/{matching_round.pk}/"),
        ("survey results", f"/api/v1/surveys/{survey.pk}/results/"),
        ("people, 100", "/api/v1/organisations/nordlys/people/"),
    ]


def _median_ms(client: Any, url: str, headers: dict[str, str], runs: int) -> float:
    assert client.get(url, **headers).status_code == 200, url
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, url
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        start_django(args.database or f"sqlite:///{folder}/api.sqlite3")
        from django.conf import settings
        from django.test import Client

        from mentora.accounts.models import User
        from mentora.api.models import SCOPES
        from mentora.api.services import token_create
        from mentora.api.throttling import TokenRateThrottle
        from mentora.demo.seed import seed_demo

        settings.ALLOWED_HOSTS = ["*"]
        logging.getLogger("axes").setLevel(logging.WARNING)
        # The benchmark asks faster than the limit lets a client.
        TokenRateThrottle.THROTTLE_RATES = {"token": "1000000/min"}
        seed_demo(people=400)
        manager = User.objects.get(email="manager@example.org")
        _token, text = token_create(actor=manager, name="Benchmark", scopes=list(SCOPES))
        headers = {"HTTP_AUTHORIZATION": f"Bearer {text}"}
        client = Client()
        medians = {}
        for name, url in _endpoints():
            medians[name] = _median_ms(client, url, headers, args.runs)
            verdict = "ok" if medians[name] <= TARGET_MS else "OVER"
            print(f"{name:24} {medians[name]:7.1f} ms  (target {TARGET_MS} ms) {verdict}")
        print(
            json.dumps(
                {
                    "runs": args.runs,
                    "endpoints": {name: round(ms, 1) for name, ms in medians.items()},
                    "slowest_ms": round(max(medians.values()), 1),
                }
            )
        )


if __name__ == "__main__":
    main()
