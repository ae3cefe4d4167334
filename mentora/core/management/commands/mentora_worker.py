"""The task worker: the database backend's worker plus a heartbeat for /healthz."""

from __future__ import annotations

import os
import socket
import threading
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from mentora.core import request_id
from mentora.core.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 5


def _beat(worker_id: str, stop: threading.Event) -> None:
    hostname, pid = socket.gethostname(), os.getpid()
    try:
        while True:
            close_old_connections()
            WorkerHeartbeat.objects.update_or_create(
                worker_id=worker_id,
                defaults={"hostname": hostname, "pid": pid, "seen_at": timezone.now()},
            )
            if stop.wait(HEARTBEAT_SECONDS):
                break
    finally:
        # Each thread owns its connection; close it so the database is not left waiting.
        connection.close()


class RequestIdWorker(db_worker.Worker):
    """Runs each task under the id of the request that enqueued it (stored beside its
    arguments by `mentora.core.task_backend`), so every line the task logs, the
    worker's own "running" and "finished" lines included, can be found by that id."""

    def run_task(self, db_task_result: Any) -> None:
        stored = db_task_result.args_kwargs.get("request_id")
        token = request_id.bind(stored or f"task-{db_task_result.id}")
        try:
            super().run_task(db_task_result)
        finally:
            request_id.unbind(token)


# The base command builds its worker from this module-level name.
db_worker.Worker = RequestIdWorker  # type: ignore[misc]


class Command(DbWorkerCommand):
    help = "Run a background task worker and report its heartbeat to /healthz."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        stop = threading.Event()
        thread = threading.Thread(target=_beat, args=(worker_id, stop), daemon=True)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            thread.join(timeout=2)
            WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
