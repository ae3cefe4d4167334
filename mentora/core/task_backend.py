"""The database task backend, with the request id carried from the request to the worker.

The id rides beside the task's arguments in the stored row (the backend reads only
"args" and "kwargs" back), and the worker binds it while the task runs
(`mentora_worker`), so a task's log lines carry the id of the request that queued it.
The worker binds its own id too, so that work a task claims (the outbox's e-mails) names
the worker holding it, and is handed back as soon as that worker stops beating."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend as BaseDatabaseBackend
from django_tasks_db.compat import normalize_json

from mentora.core import request_id

_worker: ContextVar[str] = ContextVar("mentora_worker_id", default="")

# Sent by each worker's heartbeat, after `tasks_take_over`, with `alive` (the ids of the
# workers that beat within the stale limit) and `cutoff` (when that limit began). Apps
# whose rows a worker claims while running a task (the outbox) give back at once what a
# worker not alive claimed before the cutoff, as `tasks_take_over` does with tasks.
workers_checked = Signal()


def current_worker() -> str:
    """The id of the worker running the task running now, or "" outside a worker."""
    return _worker.get()


@contextmanager
def worker_bound(worker_id: str) -> Iterator[None]:
    token = _worker.set(worker_id)
    try:
        yield
    finally:
        _worker.reset(token)


class DatabaseBackend(BaseDatabaseBackend):
    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> Any:
        from django_tasks_db.models import DBTaskResult

        stored = normalize_json({"args": args, "kwargs": kwargs})
        rid = request_id.current()
        if rid:
            stored["request_id"] = rid
        return DBTaskResult.objects.create(
            id=self._get_id(),
            args_kwargs=stored,
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )


def workers_alive(*, stale_after: timedelta) -> tuple[set[str], datetime]:
    """The ids of the workers that beat within `stale_after`, and when that began: what a
    worker not among them claimed before then is to be taken over."""
    from mentora.core.models import WorkerHeartbeat

    cutoff = timezone.now() - stale_after
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    return set(alive), cutoff


def workers_done_with(task_path: str, *, cutoff: datetime, stale_after: timedelta) -> set[str]:
    """The workers beating now whose last beat names a task other than a running one of
    `task_path`, or none: what they claimed for such a task before `cutoff` they no longer
    work on (they gave it up, their database away). Only a beat written well after the
    cutoff counts, so that it was written after the worker began anything it claimed by
    then."""
    from django_tasks_db.models import DBTaskResult

    from mentora.core.models import WorkerHeartbeat

    beats = dict(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff + stale_after / 3)
        .exclude(task=None)
        .values_list("worker_id", "task")
    )
    ids = []
    for task in beats.values():
        try:
            ids.append(uuid.UUID(task))
        except (TypeError, ValueError):
            continue
    running = {
        str(pk)
        for pk in DBTaskResult.objects.running()
        .filter(pk__in=ids, task_path=task_path)
        .values_list("pk", flat=True)
    }
    return {worker for worker, task in beats.items() if task not in running}


def tasks_take_over(*, stale_after: timedelta) -> list[str]:
    """Hand back to the queue every task still marked running by a worker that has not
    beaten for `stale_after` (killed, or its machine lost), or whose worker beats but
    runs another task or none (it gave up on this one), so another worker runs it again;
    returns their ids. Tasks must therefore be safe to run again (a matching round stores
    its proposals once, whoever runs it). Each one taken over is audited with its id and
    the task's name only, never its arguments."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from mentora.core.audit import audit_log
    from mentora.core.models import WorkerHeartbeat

    cutoff = timezone.now() - stale_after
    beats = {beat.worker_id: beat for beat in WorkerHeartbeat.objects.filter(seen_at__gte=cutoff)}
    # A beat this long after a task began was written after its worker started it (a
    # worker beats every sixth of `stale_after`), so it names the task if it still runs.
    settled = stale_after / 3
    taken: list[str] = []
    with transaction.atomic():
        # Locked without waiting: two workers looking at once each take different rows.
        running = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
        for result in running.select_for_update(skip_locked=True):
            owner = result.worker_ids[-1] if result.worker_ids else ""
            beat = beats.get(owner)
            if beat is not None and (
                beat.task is None
                or beat.task == str(result.pk)
                or beat.seen_at < result.started_at + settled
            ):
                continue
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            audit_log(
                actor=None,
                action="core.task.take_over",
                obj=result,
                changes={"task": result.task_path, "worker": owner},
            )
            taken.append(str(result.pk))
    return taken
