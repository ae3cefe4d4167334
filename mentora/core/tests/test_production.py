"""The production path: the configuration check, gunicorn serving collected static files,
/metrics behind its token, JSON logs, and the request id from a request into its tasks."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.urls import resolve, reverse

from conftest import REPO, free_port
from mentora.core import request_id
from mentora.core.logs import JsonFormatter, RequestIdFilter


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production installation in `var_dir`, with its own SQLite."""
    env = {k: v for k, v in os.environ.items() if k not in {"MENTORA_TESTING", "DEBUG"}}
    env.update(
        {
            "MENTORA_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'mentora.sqlite3'}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "MENTORA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "0",
            "LOG_FORMAT": "json",
            **extra,
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_server_refuses_to_start_and_says_what_to_fix(tmp_path: Path) -> None:
    env = production_env(tmp_path, SECRET_KEY="short", ALLOWED_HOSTS="", MENTORA_ENCRYPTION_KEYS="")
    result = manage(env, "mentora_serve", "--check")
    assert result.returncode != 0
    assert "will not start until this is fixed" in result.stderr
    assert "SECRET_KEY is missing or too short" in result.stderr
    assert "No encryption key is configured for the private texts" in result.stderr
    # Production never makes a key of its own.
    assert not (tmp_path / "encryption.key").exists()
    assert "ALLOWED_HOSTS is not set" in result.stderr
    assert "database migrations have not run" in result.stderr
    assert "static files have not been collected" in result.stderr


def test_a_debug_configuration_is_refused(tmp_path: Path) -> None:
    result = manage(production_env(tmp_path, DEBUG="1"), "mentora_serve", "--check")
    assert result.returncode != 0
    assert "DEBUG is on" in result.stderr


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.slow
def test_gunicorn_serves_pages_static_files_metrics_and_json_logs(tmp_path: Path) -> None:
    token = secrets.token_urlsafe(20)
    env = production_env(tmp_path, METRICS_TOKEN=token)
    for step in (
        ("migrate", "-v0"),
        ("compile_translations",),
        ("collectstatic", "--noinput", "-v0"),
    ):
        done = manage(env, *step)
        assert done.returncode == 0, done.stderr
    ready = manage(env, "mentora_serve", "--check")
    assert ready.returncode == 0, ready.stderr

    port = free_port()
    log = (tmp_path / "server.log").open("w+")
    server = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "mentora_serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        status, headers, body = _get(f"{base}/login/", **{"X-Request-ID": "trace-0123456789"})
        assert status == 200
        assert headers["X-Request-ID"] == "trace-0123456789"
        # Static files are served under their content's hash, cacheable for a long time.
        css = re.search(rb'href="(/static/css/mentora\.[0-9a-f]{12}\.css)"', body)
        assert css, body[:2000]
        status, headers, _ = _get(base + css.group(1).decode())
        assert status == 200
        assert "max-age=315360000" in headers["Cache-Control"]

        assert _get(f"{base}/metrics")[0] == 404
        assert _get(f"{base}/metrics", Authorization="Bearer wrong")[0] == 404
        status, _, text = _get(f"{base}/metrics", Authorization=f"Bearer {token}")
        assert status == 200
        metrics = text.decode()
        assert re.search(
            r'mentora_http_requests_total\{method="GET",route="login",status="2xx"\} [1-9]', metrics
        )
        assert "mentora_http_request_duration_seconds_bucket" in metrics
        assert "mentora_tasks_queued 0.0" in metrics
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    log.seek(0)
    lines = [json.loads(line) for line in log if line.startswith("{")]
    login = [line for line in lines if line.get("route") == "login"]
    assert login and login[0]["request_id"] == "trace-0123456789"
    assert login[0]["status"] == 200 and login[0]["logger"] == "mentora.access"


def test_a_request_keeps_an_acceptable_id_and_replaces_a_hostile_one(client: Any, db: None) -> None:
    kept = client.get(reverse("login"), HTTP_X_REQUEST_ID="edge-4f1c2a9b")
    assert kept["X-Request-ID"] == "edge-4f1c2a9b"
    replaced = client.get(reverse("login"), HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])


def test_metrics_do_not_exist_without_a_token(client: Any, db: None, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_metrics_count_requests_by_route_never_by_path(
    client: Any, db: None, settings: Any
) -> None:
    settings.METRICS_TOKEN = "scrape-token-for-tests"
    client.get("/pairs/999999/")
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer scrape-token-for-tests")
    assert response.status_code == 200
    text = response.content.decode()
    route = resolve("/pairs/999999/").view_name
    assert f'route="{route}",status="3xx"' in text
    # No label holds the path (a duration's digits, which earlier requests of the same
    # process may produce, are not labels).
    labels = " ".join(re.findall(r"\{[^}]*\}", text))
    assert labels and "999999" not in labels


def test_a_log_line_is_one_json_object_with_the_request_id() -> None:
    record = logging.makeLogRecord(
        {"name": "mentora.access", "levelname": "INFO", "msg": "GET %s", "args": ("/x/",)}
    )
    record.status = 200
    token = request_id.bind("req-12345678")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.unbind(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /x/"
    assert line["request_id"] == "req-12345678"
    assert line["status"] == 200


@pytest.mark.django_db(transaction=True)
def test_a_task_logs_with_the_id_of_the_request_that_enqueued_it(run_worker: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from mentora.notifications.tasks import send_digests

    token = request_id.bind("req-task-0123456789")
    try:
        result = send_digests.enqueue()
    finally:
        request_id.unbind(token)
    assert DBTaskResult.objects.get(pk=result.id).args_kwargs["request_id"] == "req-task-0123456789"
    output = run_worker({"LOG_FORMAT": "json"})
    task_lines = [
        json.loads(line)
        for line in output.splitlines()
        if line.startswith("{") and str(result.id) in line
    ]
    assert task_lines
    assert {line.get("request_id") for line in task_lines} == {"req-task-0123456789"}


OUTAGE_SCRIPT = """
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "s" * 32
response = client.get("/login/")
print(response.status_code, response.headers.get("Retry-After"))
print(response.content.decode())
"""


def test_a_database_outage_is_a_friendly_503_not_a_traceback() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "MENTORA_TESTING": "1",
        "ALLOWED_HOSTS": "testserver",
        # Nothing listens on port 1: every connection is refused, as during a restart.
        "DATABASE_URL": "postgres://mentora@127.0.0.1:1/mentora",
    }
    result = subprocess.run(
        [sys.executable, "-c", OUTAGE_SCRIPT],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    status_line, _, page = result.stdout.partition("\n")
    assert status_line == "503 10"
    assert "Back in a moment" in page
    assert "Traceback" not in page and "OperationalError" not in page
