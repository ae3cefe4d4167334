from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import invite_member
from mentora.accounts.models import Role
from mentora.core.models import WorkerHeartbeat


def test_healthz_reports_a_missing_worker_as_unhealthy(client: Any, db: None) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["worker"] == "down"


def test_healthz_is_healthy_with_a_recent_heartbeat(client: Any, db: None) -> None:
    WorkerHeartbeat.objects.create(worker_id="w1", hostname="h", pid=1)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "worker": "ok", "workers": 1, "queued": 0}


def test_healthz_ignores_a_stale_heartbeat(client: Any, db: None) -> None:
    WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="h", pid=1, seen_at=timezone.now() - timedelta(minutes=5)
    )
    assert client.get(reverse("healthz")).json()["worker"] == "down"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_sends_the_invitation_through_smtp(
    smtp_sink: Any, run_worker: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from conftest import make_personas

    personas = make_personas()
    invite_member(personas, "worker@test.example", Role.MENTOR, language="en")
    assert DBTaskResult.objects.ready().count() == 1

    run_worker({"EMAIL_HOST": smtp_sink.host, "EMAIL_PORT": str(smtp_sink.port)})

    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL", result.traceback
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "worker@test.example"
    assert "Acme Energy" in message["Subject"]
    # The worker removes its own heartbeat when it stops.
    assert not WorkerHeartbeat.objects.exists()
