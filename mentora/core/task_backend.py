"""The database task backend, with the request id carried from the request to the worker.

The id rides beside the task's arguments in the stored row (the backend reads only
"args" and "kwargs" back), and the worker binds it while the task runs
(`mentora_worker`), so a task's log lines carry the id of the request that queued it."""

from __future__ import annotations

from typing import Any

from django_tasks_db.backend import DatabaseBackend as BaseDatabaseBackend
from django_tasks_db.compat import normalize_json

from mentora.core import request_id


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
