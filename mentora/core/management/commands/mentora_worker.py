"""The task worker: the database backend's worker plus a heartbeat for /healthz, which
also takes over the tasks of workers that died, and which rides out a database restart."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus, task_finished
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from mentora.core import request_id
from mentora.core.health import worker_stale_after
from mentora.core.models import WorkerHeartbeat
from mentora.core.task_backend import (
    tasks_take_over,
    worker_bound,
    workers_alive,
    workers_checked,
)

logger = logging.getLogger("mentora.worker")


def heartbeat_seconds() -> float:
    return max(1.0, settings.WORKER_STALE_SECONDS / 6)


# The id of the task this process's worker runs now, "" while idle: read by the heartbeat
# thread, so that a worker's beat keeps alive only the task it is running.
_running_task = ""


def heartbeat(worker_id: str) -> None:
    """Record that `worker_id` is alive and which task it runs, and take over what workers
    that stopped held: their tasks, and (through `workers_checked`) the rows their tasks
    had claimed."""
    running = _running_task
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "seen_at": timezone.now(),
            "task": running,
        },
    )
    stale_after = worker_stale_after()
    for task_id in tasks_take_over(stale_after=stale_after):
        logger.warning("Took over task %s from a worker that stopped", task_id)
    alive, cutoff = workers_alive(stale_after=stale_after)
    workers_checked.send(sender=WorkerHeartbeat, alive=alive, cutoff=cutoff)


def _beat(worker_id: str, stop: threading.Event) -> None:
    try:
        while True:
            try:
                close_old_connections()
                heartbeat(worker_id)
            except DatabaseError as error:
                # The database restarts or fails over: beat again once it is back.
                logger.warning("Heartbeat skipped, the database is unavailable: %s", error)
                connection.close_if_unusable_or_obsolete()
            except Exception:
                # Whatever else fails, keep beating: a worker that stops beating is taken
                # for dead, and the task it still runs is run again elsewhere.
                logger.exception("Heartbeat failed")
            if stop.wait(heartbeat_seconds()):
                break
    finally:
        # Each thread owns its connection; close it so the database is not left waiting.
        connection.close()


class RequestIdWorker(db_worker.Worker):
    """Runs each task under the id of the request that enqueued it (stored beside its
    arguments by `mentora.core.task_backend`), so every line the task logs, the
    worker's own "running" and "finished" lines included, can be found by that id."""

    def run(self) -> None:
        # The base loop stops the process at the first database error; a restarted
        # database must not stop the workers, so wait for it and go on.
        while True:
            try:
                super().run()
                return
            except DatabaseError as error:
                if not self.running:
                    raise
                logger.warning("The database is unavailable, retrying: %s", error)
                try:
                    connection.close()
                except DatabaseError:
                    pass
                time.sleep(1)

    def run_task(self, db_task_result: Any) -> None:
        global _running_task
        stored = db_task_result.args_kwargs.get("request_id")
        token = request_id.bind(stored or f"task-{db_task_result.id}")
        _running_task = str(db_task_result.id)
        try:
            with worker_bound(self.worker_id):
                super().run_task(db_task_result)
        except DatabaseError as error:
            # The connection broke while the task ran or while its outcome was written, so
            # the base could not record it either: left so, the task would stay running
            # for good, kept alive by this worker's heartbeat.
            self._record_failure(db_task_result, error)
        finally:
            _running_task = ""
            request_id.unbind(token)

    def _record_failure(self, db_task_result: Any, error: DatabaseError) -> None:
        """Record the task failed with `error` (whose traceback holds what broke first) over
        a new connection, waiting for the database to come back; a worker told to stop
        gives up, and once its heartbeat stops another worker takes the task over. A task
        taken over meanwhile (the database was away longer than a heartbeat may be late)
        belongs to its new run: what became of it there is left as it is."""
        while True:
            try:
                connection.close()
            except DatabaseError:
                pass
            try:
                with transaction.atomic():
                    current = (
                        type(db_task_result)
                        .objects.select_for_update()
                        .filter(pk=db_task_result.pk)
                        .values_list("status", "worker_ids")
                        .first()
                    )
                    mine = current is not None and current[0] == TaskResultStatus.RUNNING
                    mine = mine and list(current[1] or [])[-1:] == [self.worker_id]
                    if mine:
                        db_task_result.set_failed(error)
            except DatabaseError as again:
                if not self.running:
                    raise
                logger.warning("The database is unavailable, retrying: %s", again)
                time.sleep(1)
                continue
            if not mine:
                logger.warning(
                    "Task %s was taken over while the database was away; its failure here "
                    "is not recorded over its new run.",
                    db_task_result.pk,
                )
                return
            # The worker's "finished" line, as for any other failure.
            task_finished.send(
                sender=type(db_task_result.task.get_backend()),
                task_result=db_task_result.task_result,
            )
            return


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
