"""The whole API over a world with one of everything, as every persona's token.

- No response carries any of the markers written into private texts (what a pair writes,
  the reasons for ending or declining, the programme team's notes, free-text answers):
  the API shows facts, ids and statuses only, to whoever asks.
- schemathesis generates requests from the served OpenAPI document, with the world's real
  ids as well as made-up ones, and checks that none answers with a server error and every
  answer keeps to the document.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from mentora.api.tests.conftest import bearer
from mentora.api.throttling import TokenRateThrottle
from tests.crawl import id_pools, routes, urls
from tests.world import World, build_world

# Each builds the world; the whole-product guards are marked slow, and `make test` runs them.
pytestmark = pytest.mark.slow

# Enough examples per operation and persona to try each of its parameters both ways (a
# real id, a made-up one), few enough that the whole run stays well under a minute.
EXAMPLES = 3


@pytest.fixture
def world(db: None, monkeypatch: Any) -> World:
    # Each persona's token asks far more than a client would in a minute.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "100000/min"})
    return build_world()


@pytest.fixture
def in_process() -> Iterator[None]:
    """Requests served by the WSGI application in this process keep the test's connection
    (and its transaction) open, as Django's own test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def test_no_api_response_carries_any_private_text(world: World, client: Any) -> None:
    pools = id_pools()
    api_routes = [r for r in routes() if r.name.startswith("api_") and r.accepts_get]
    answered: dict[str, set[int]] = defaultdict(set)
    problems = []
    for persona, user in world.users.items():
        headers = bearer(user)
        for route in api_routes:
            for url in urls(route, pools):
                response = client.get(url, **headers)
                answered[route.name].add(response.status_code)
                text = response.content.decode()
                if response.status_code >= 500:
                    problems.append(f"{persona} {url}: {response.status_code}")
                problems += [
                    f"{persona} {url}: shows {marker.what}"
                    for marker in world.markers
                    if marker.token in text
                ]
    assert problems == [], "\n".join(problems)
    # The guard looked where the texts are: every endpoint showed someone its content.
    assert sorted(name for name, codes in answered.items() if 200 not in codes) == []
    assert len(answered) == len(api_routes) > 15


def test_the_api_keeps_to_its_openapi_document_as_every_persona(
    world: World, in_process: None
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    pools = id_pools()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 15
    calls: dict[int, int] = defaultdict(int)

    def checker(operation: Any, headers: dict[str, str]) -> Any:
        @given(case=operation.as_strategy(), data=st.data())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any, data: Any) -> None:
            for name in list(case.path_parameters or {}):
                real = pools.get(name, [])
                if real and data.draw(st.booleans(), label=f"real {name}"):
                    case.path_parameters[name] = data.draw(st.sampled_from(real))
            response = case.call(headers=headers)
            calls[response.status_code] += 1
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        return check

    for user in world.users.values():
        headers = {"Authorization": bearer(user)["HTTP_AUTHORIZATION"]}
        for operation in operations:
            checker(operation, headers)()
    # Real objects were reached and shown, and refusals were tried too.
    assert calls[200] > 50 and calls[404] > 0 and calls[403] > 0, dict(calls)
    assert not any(code >= 500 for code in calls)
