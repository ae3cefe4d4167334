from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import invite_member
from mentora.accounts.models import Role
from mentora.core.models import AuditEntry, WorkerHeartbeat


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

    # The invitation task queued the e-mail; the outbox's delivery task sent it.
    results = DBTaskResult.objects.order_by("enqueued_at")
    assert [r.task_path.rsplit(".", 1)[1] for r in results] == [
        "send_invitation",
        "deliver_outbox",
    ]
    assert all(r.status == "SUCCESSFUL" for r in results), [r.traceback for r in results]
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "worker@test.example"
    assert "Acme Energy" in message["Subject"]
    # The worker removes its own heartbeat when it stops.
    assert not WorkerHeartbeat.objects.exists()


def _running_task(worker_id: str, started: Any) -> Any:
    from django_tasks_db.models import DBTaskResult

    from mentora.notifications.tasks import send_digests

    result = send_digests.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=started, worker_ids=[worker_id]
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_the_task_of_a_worker_that_stopped_beating_goes_back_to_the_queue(db: None) -> None:
    from mentora.core.task_backend import tasks_take_over

    long_ago = timezone.now() - timedelta(minutes=2)
    WorkerHeartbeat.objects.create(worker_id="dead", hostname="h", pid=1, seen_at=long_ago)
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=2)
    orphan = _running_task("dead", long_ago)
    busy = _running_task("alive", long_ago)

    taken = tasks_take_over(stale_after=timedelta(seconds=30))

    assert taken == [str(orphan.pk)]
    orphan.refresh_from_db()
    busy.refresh_from_db()
    assert orphan.status == "READY" and orphan.started_at is None
    assert busy.status == "RUNNING"
    entry = AuditEntry.objects.get(action="core.task.take_over")
    assert entry.changes == {"task": orphan.task_path, "worker": "dead"}


def test_a_task_just_begun_is_never_taken_over(db: None) -> None:
    from mentora.core.task_backend import tasks_take_over

    fresh = _running_task("not-yet-beating", timezone.now())
    assert tasks_take_over(stale_after=timedelta(seconds=30)) == []
    fresh.refresh_from_db()
    assert fresh.status == "RUNNING"


def _lose_the_connection() -> None:
    """The database goes away underneath the worker: its connection breaks, unnoticed."""
    from django.db import OperationalError, connection

    connection.ensure_connection()
    connection.connection.close()
    raise OperationalError("server closed the connection unexpectedly")


def _worker(worker_id: str) -> Any:
    from mentora.core.management.commands.mentora_worker import RequestIdWorker

    return RequestIdWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


@pytest.mark.parametrize("lost_while", ["running", "writing_its_result"])
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_connection_breaks_is_recorded_failed_not_left_running(
    monkeypatch: Any, lost_while: str
) -> None:
    from django_tasks_db.models import DBTaskResult

    from mentora.notifications import tasks

    result = DBTaskResult.objects.get(pk=tasks.send_digests.enqueue().id)
    result.claim("w1")
    if lost_while == "running":
        monkeypatch.setattr(tasks, "users_awaiting_digest", _lose_the_connection)
    else:
        monkeypatch.setattr(
            DBTaskResult, "set_successful", lambda self, value: _lose_the_connection()
        )

    _worker("w1").run_task(result)

    result.refresh_from_db()
    assert result.status == "FAILED"
    assert result.finished_at is not None
    assert "server closed the connection unexpectedly" in result.traceback


@pytest.mark.parametrize(
    ("meanwhile", "worker_ids"),
    [("READY", ["w1"]), ("RUNNING", ["w1", "w2"]), ("SUCCESSFUL", ["w1", "w2"])],
)
@pytest.mark.django_db(transaction=True)
def test_a_task_taken_over_while_the_database_was_away_keeps_what_its_new_run_did(
    monkeypatch: Any, meanwhile: str, worker_ids: list[str]
) -> None:
    from django_tasks_db.models import DBTaskResult

    from mentora.notifications import tasks

    result = DBTaskResult.objects.get(pk=tasks.send_digests.enqueue().id)
    result.claim("w1")

    def taken_over_then_lost() -> list[int]:
        # Another worker found w1 silent and took the task: queued again, running on w2,
        # or already done there. Then w1's connection breaks.
        DBTaskResult.objects.filter(pk=result.pk).update(status=meanwhile, worker_ids=worker_ids)
        _lose_the_connection()
        return []

    monkeypatch.setattr(tasks, "users_awaiting_digest", taken_over_then_lost)

    _worker("w1").run_task(result)

    result.refresh_from_db()
    assert (result.status, result.worker_ids, result.traceback) == (meanwhile, worker_ids, "")


def test_a_task_its_worker_no_longer_runs_goes_back_though_that_worker_beats(db: None) -> None:
    from mentora.core.task_backend import tasks_take_over

    long_ago = timezone.now() - timedelta(minutes=2)
    given_up = _running_task("alive", long_ago)
    running = _running_task("alive", long_ago)
    # The worker's heartbeat names the task it runs now: the other one it gave up on.
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=2, task=str(running.pk))
    idle_owner = _running_task("idle", long_ago)
    WorkerHeartbeat.objects.create(worker_id="idle", hostname="h", pid=3, task="")

    taken = tasks_take_over(stale_after=timedelta(seconds=30))

    assert sorted(taken) == sorted([str(given_up.pk), str(idle_owner.pk)])
    running.refresh_from_db()
    assert running.status == "RUNNING"


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_names_the_task_its_worker_runs_and_none_once_done(
    monkeypatch: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    from mentora.core.management.commands.mentora_worker import heartbeat
    from mentora.notifications import tasks

    result = DBTaskResult.objects.get(pk=tasks.send_digests.enqueue().id)
    result.claim("w1")
    seen: list[str | None] = []

    def beat_while_running() -> list[int]:
        heartbeat("w1")
        seen.append(WorkerHeartbeat.objects.get(worker_id="w1").task)
        return []

    monkeypatch.setattr(tasks, "users_awaiting_digest", beat_while_running)
    _worker("w1").run_task(result)
    heartbeat("w1")

    assert seen == [str(result.pk)]
    assert WorkerHeartbeat.objects.get(worker_id="w1").task == ""
