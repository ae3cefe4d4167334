"""The task worker: the database backend's worker plus a heartbeat for /healthz."""

from __future__ import annotations

import os
import socket
import threading
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

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
