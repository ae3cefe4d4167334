"""The supported production topology, end to end: HAProxy with deploy/haproxy.cfg in front
of two application servers, three task workers and a PostgreSQL database, under faults.

It starts its own PostgreSQL cluster (so restarting it touches nobody else's database) and
runs in the PostgreSQL run of the test command; the SQLite run skips it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests import topology_faults as faults
from tests.topology import Browser, Topology, available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.topology,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the topology test runs with the PostgreSQL run (DATABASE_URL=postgres://...)",
    ),
]


@pytest.fixture(scope="module")
def topology() -> Iterator[Topology]:
    reason = available()
    if reason:
        pytest.fail(f"the topology cannot start: {reason}")
    with Topology.start(people=400) as running:
        yield running


def test_the_load_balancer_spreads_requests_and_keeps_the_session(topology: Topology) -> None:
    visitor = Browser(topology.base)
    visitor.login("manager@example.org")
    session = visitor.session_key()
    for _ in range(6):
        status, page = visitor.get("/programmes/")
        assert status == 200
        assert "Nordic leadership exchange" in page
    assert visitor.session_key() == session
    # Both servers answered: each logs its own requests.
    for name in ("app0", "app1"):
        assert '"route": "programme_list"' in topology.log(name), name


def test_killing_an_application_server_loses_no_request_and_no_session(
    topology: Topology,
) -> None:
    result = faults.app_server_killed(topology, readers=3, after=6)
    assert result["unclean_errors"] == 0, result
    assert result["errors"] == 0, result
    assert result["lost_sessions"] == 0, result
    assert result["restarted_server_healthy"], result


def test_a_round_whose_worker_is_killed_is_taken_over_and_stored_once(
    topology: Topology,
) -> None:
    result = faults.worker_killed_in_a_round(topology, readers=1)
    assert result["round_done"], result
    assert result["proposals"] > 0
    assert result["duplicate_proposals"] == 0, result
    # One task, claimed by the killed worker and then by the one that took it over.
    assert result["task"] == [{"status": "SUCCESSFUL", "workers": 2}], result


def test_a_database_restart_shows_the_friendly_page_and_keeps_every_acknowledged_write(
    topology: Topology,
) -> None:
    result = faults.database_restarted(topology, readers=3, after=6)
    assert result["unclean_errors"] == 0, result
    assert result["lost_sessions"] == 0, result
    assert result["workers_back"], result
    assert result["recovery_s"] <= 10 + result["restart_seconds"], result
    assert result["writes_acknowledged"] > 0, result
    assert result["writes_found"] == result["writes_acknowledged"], result


def test_a_worker_killed_while_sending_loses_no_e_mail_and_sends_none_twice(
    topology: Topology,
) -> None:
    result = faults.worker_killed_in_an_email_batch(topology, count=12)
    assert result["emails_lost"] == 0, result
    assert result["emails_sent_twice"] == 0, result
    assert result["emails_delivered"] == 12, result


def test_e_mails_wait_while_the_mail_server_refuses_and_go_out_when_it_is_back(
    topology: Topology,
) -> None:
    result = faults.smtp_refused(topology, seconds=15, count=4)
    assert result["delivered_during_outage"] == 0, result
    assert result["emails_lost"] == 0, result
    assert result["emails_sent_twice"] == 0, result
    assert result["same_message_again"] == 0, result
    assert result["unclean_errors"] == 0 and result["errors"] == 0, result
