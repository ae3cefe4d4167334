"""Metrics in the Prometheus text format, for /metrics.

Request counts and latencies are counted in each server process; under gunicorn the
processes share them through files in `PROMETHEUS_MULTIPROC_DIR` (set by `mentora_serve`),
so one scrape of any process sees the whole server. The task queue is read from the
database at each scrape, so every machine reports the same, true figures.

Labels are bounded: a request is labelled with its route's name, never its path, so ids
in URLs cannot grow the number of series (nor put anything a URL holds into metrics)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from django.db.models import Min
from django.utils import timezone
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter(
    "mentora_http_requests",
    "HTTP requests answered, by route, method and status class.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "mentora_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0),
)
EMAILS = Counter(
    "mentora_emails",
    "E-mails handed to the mail server, by outcome: sent, deferred (the server refused for "
    "now; the outbox tries again) or failed (refused for good).",
    ["outcome"],
)


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route=route, method=method, status=f"{status // 100}xx").inc()
    LATENCY.labels(route=route).observe(seconds)


class TaskQueueCollector(Collector):
    """The task queue as the database holds it: shared by every worker on every machine."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        from django_tasks_db.models import DBTaskResult

        ready = DBTaskResult.objects.ready()
        oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "mentora_tasks_queued", "Tasks waiting for a worker.", value=ready.count()
        )
        yield GaugeMetricFamily(
            "mentora_tasks_oldest_queued_age_seconds",
            "How long the oldest waiting task has waited (0 when none waits).",
            value=max(age, 0.0),
        )
        yield GaugeMetricFamily(
            "mentora_tasks_running",
            "Tasks a worker is running now.",
            value=DBTaskResult.objects.running().count(),
        )
        yield CounterMetricFamily(
            "mentora_tasks_failed",
            "Tasks that failed, among the results the database keeps.",
            value=DBTaskResult.objects.failed().count(),
        )


class OutboxCollector(Collector):
    """The e-mail outbox as the database holds it: what waits, and for how long."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.apps import apps

        outbox = apps.get_model("notifications", "OutboxMessage").objects
        waiting = outbox.filter(state__in=["queued", "sending"])
        oldest = waiting.aggregate(oldest=Min("created_at"))["oldest"]
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "mentora_email_outbox_depth",
            "E-mails waiting in the outbox to be sent (queued, or being sent).",
            value=waiting.count(),
        )
        yield GaugeMetricFamily(
            "mentora_email_outbox_oldest_age_seconds",
            "How long the oldest e-mail still waiting has waited (0 when none waits).",
            value=max(age, 0.0),
        )
        yield GaugeMetricFamily(
            "mentora_email_outbox_failed",
            "E-mails the mail server refused for good, among the rows the outbox keeps.",
            value=outbox.filter(state="failed").count(),
        )


def render() -> bytes:
    """Every metric, in the Prometheus text format."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in (REQUESTS, LATENCY, EMAILS):
            registry.register(metric)
    registry.register(TaskQueueCollector())
    registry.register(OutboxCollector())
    return generate_latest(registry)
