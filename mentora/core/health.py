from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mentora.core.models import WorkerHeartbeat


def worker_stale_after() -> timedelta:
    """A worker beats every few seconds; this much silence means it is gone."""
    return timedelta(seconds=settings.WORKER_STALE_SECONDS)


def health_report() -> dict[str, Any]:
    """Database and worker status, for /healthz and for monitoring."""
    report: dict[str, Any] = {"database": "ok", "worker": "down", "workers": 0, "queued": None}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means the database is down
        report["database"] = f"error: {type(exc).__name__}"
        return report
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - worker_stale_after())
    report["workers"] = alive.count()
    report["worker"] = "ok" if report["workers"] else "down"
    report["queued"] = DBTaskResult.objects.ready().count()
    return report
