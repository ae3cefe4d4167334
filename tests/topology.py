"""The production topology on one machine, for the topology test and the load and fault
benchmarks: a private PostgreSQL cluster, two application servers (`mentora_serve`), three
task workers (`mentora_worker`), HAProxy in front with `deploy/haproxy.cfg`, and a real
SMTP server that keeps what it receives. Everything listens on loopback ports only.

    with Topology.start(people=400) as topology:
        topology.get("/healthz")
        topology.kill_worker(0); topology.start_worker(0)

Every process runs in its own process group and is stopped (its children too) when the
`with` block ends, however it ends, and at interpreter exit; the cluster's files are
removed. PostgreSQL refuses to run as root, so as root the cluster runs as `postgres`.
"""

from __future__ import annotations

import asyncio
import atexit
import csv
import http.cookiejar
import io
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parent.parent
HAPROXY_CFG = REPO / "deploy" / "haproxy.cfg"
DEMO_PASSWORD = "demo"  # every demo login's password (seed_demo)
# Seconds of silence after which a worker counts as dead and its task is taken over.
WORKER_STALE_SECONDS = 6


# Settings of the process that starts the topology which its servers must not take over:
# they run as production does, with their own key.
NOT_INHERITED = {"MENTORA_TESTING", "DEBUG", "DJANGO_SETTINGS_MODULE", "MENTORA_ENCRYPTION_KEYS"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL's server programs are not installed")
    return found[-1].parent


def available() -> str:
    """Why the topology cannot start on this machine, or "" when it can."""
    if shutil.which("haproxy") is None:
        return "HAProxy is not installed (bin/test installs it)"
    try:
        postgres_bin()
    except RuntimeError as error:
        return str(error)
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root needs the postgres user to run a private cluster"
    return ""


class _Sink:
    """Keeps every message received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()
        # While set, a message being received waits before it is accepted.
        self.held = threading.Event()
        self.waiting = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.held.is_set():
            self.waiting += 1
            while self.held.is_set():
                await asyncio.sleep(0.05)
            self.waiting -= 1
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on a fixed loopback port that can be stopped (the port then
    refuses connections) and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.sink = _Sink()
        self._controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def hold(self) -> None:
        """Keep the next messages waiting before the final "accepted", as a slow server."""
        self.sink.held.set()

    def release(self) -> None:
        self.sink.held.clear()

    @property
    def holding(self) -> int:
        """How many messages wait for their "accepted" now."""
        return self.sink.waiting

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.sink.messages)

    def wait_for(self, count: int, timeout: float = 60) -> list[EmailMessage]:
        with self.sink.arrived:
            self.sink.arrived.wait_for(lambda: len(self.sink.messages) >= count, timeout)
        return self.messages


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        handle = self.log.open("ab")
        self.popen = subprocess.Popen(  # noqa: S603 - our own programs
            self.command,
            cwd=REPO,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int) -> None:
        if self.popen is not None and self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signum)
            except ProcessLookupError:
                pass

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to the whole group, SIGKILL after `timeout` seconds."""
        if self.popen is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait(timeout=10)
        # Children left in the group (a gunicorn worker whose master died) go too.
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def signal_stop(self) -> None:
        """Freeze the process (SIGSTOP), as a machine that hangs."""
        self.signal(signal.SIGSTOP)

    def signal_continue(self) -> None:
        self.signal(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL to the whole group: a crash, with no chance to clean up."""
        if self.popen is None:
            return
        self.signal(signal.SIGKILL)
        self.popen.wait(timeout=10)


class PostgresCluster:
    """A throw-away PostgreSQL cluster in a temporary folder, on its own port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.bin = postgres_bin()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)  # noqa: S603

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def _ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            action,
            "-D",
            str(self.data),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.folder / "postgres.log"),
            "-o",
            options,
            *extra,
        )

    def start(self) -> None:
        self._ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("stop", "-m", mode)

    def restart(self) -> None:
        """What `pg_ctlcluster ... restart` does: a fast shutdown (open connections are
        cut, running transactions rolled back), then a start."""
        self._ctl("restart", "-m", "fast")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


@dataclass
class Topology:
    folder: Path
    cluster: PostgresCluster
    smtp: SmtpServer
    env: dict[str, str]
    lb_port: int
    app_ports: list[int]
    apps: list[Process] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)
    haproxy: Process | None = None
    # A statistics page on loopback (the test's own addition to deploy/haproxy.cfg), where
    # HAProxy tells which servers its health checks have brought in.
    stats_port: int = 0
    keep: bool = False
    # Seconds each preparation step took (migrate, seed_demo...), for the benchmarks.
    timings: dict[str, float] = field(default_factory=dict)

    # ---- starting and stopping -------------------------------------------------------

    @classmethod
    def start(cls, *, people: int = 400, workers: int = 3, server_processes: int = 2) -> Topology:
        """Build everything, seed the demo organisation with `people`, and wait until the
        load balancer answers /healthz with both servers and every worker up."""
        reason = available()
        if reason:
            raise RuntimeError(reason)
        _stop_on_sigterm()
        folder = Path(tempfile.mkdtemp(prefix="mentora-topology-"))
        os.chmod(folder, 0o755)
        cluster = PostgresCluster(folder / "pg")
        smtp = SmtpServer()
        lb_port = free_port()
        app_ports = [free_port(), free_port()]
        var = folder / "var"
        var.mkdir()
        # As in production: the private texts' key in a file of its own, outside the data.
        key_file = folder / "encryption.key"
        key_file.write_text(Fernet.generate_key().decode() + "\n", encoding="utf-8")
        key_file.chmod(0o600)
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in NOT_INHERITED and not key.startswith("PYTEST")
        }
        env.update(
            MENTORA_VAR_DIR=str(var),
            MENTORA_ENCRYPTION_KEY_FILE=str(key_file),
            DATABASE_URL=cluster.url("mentora"),
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_COOKIES="0",
            LOG_FORMAT="json",
            CONN_MAX_AGE="60",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            WORKER_STALE_SECONDS=str(WORKER_STALE_SECONDS),
            # Short waits, so the faults recover within a test: a refused e-mail is tried
            # again after 1 to 4 s. The e-mails' lease is the default: those of a worker
            # that died go back as soon as another's heartbeat finds it silent.
            EMAIL_OUTBOX_RETRY_BASE_SECONDS="1",
            EMAIL_OUTBOX_RETRY_MAX_SECONDS="4",
            EMAIL_TIMEOUT="20",
            SITE_ROOT=f"http://127.0.0.1:{lb_port}",
            CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{lb_port}",
            WEB_CONCURRENCY=str(server_processes),
            TRUSTED_PROXIES="1",
            PYTHONDONTWRITEBYTECODE="1",
        )
        topology = cls(folder, cluster, smtp, env, lb_port, app_ports)
        _started.append(topology)
        try:
            cluster.init()
            cluster.create_database("mentora")
            for step in (
                ("migrate", "-v0"),
                ("compile_translations",),
                ("collectstatic", "--noinput", "-v0"),
                ("seed_demo", "--people", str(people)),
            ):
                began = time.monotonic()
                topology.manage(*step)
                topology.timings[step[0]] = round(time.monotonic() - began, 1)
            smtp.start()
            for index in range(workers):
                topology.workers.append(topology._worker(index))
                topology.workers[-1].start()
            for index in range(2):
                topology.apps.append(topology._app(index))
                topology.apps[-1].start()
            topology.stats_port = free_port()
            stats_cfg = folder / "haproxy-stats.cfg"
            stats_cfg.write_text(
                "frontend stats\n"
                f"    bind 127.0.0.1:{topology.stats_port}\n"
                "    stats enable\n"
                "    stats uri /stats\n",
                encoding="utf-8",
            )
            topology.haproxy = Process(
                "haproxy",
                ["haproxy", "-db", "-f", str(HAPROXY_CFG), "-f", str(stats_cfg)],
                {
                    **env,
                    "MENTORA_HOST": "127.0.0.1",
                    "MENTORA_LB_BIND": f"127.0.0.1:{lb_port}",
                    "MENTORA_APP1": f"127.0.0.1:{app_ports[0]}",
                    "MENTORA_APP2": f"127.0.0.1:{app_ports[1]}",
                },
                folder / "haproxy.log",
            )
            topology.haproxy.start()
            topology.wait_until_healthy(workers=workers)
        except BaseException:
            topology.close()
            raise
        return topology

    def manage(self, *args: str, timeout: float = 1800) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-4000:]}")
        return done.stdout

    def _worker(self, index: int) -> Process:
        return Process(
            f"worker{index}",
            [
                sys.executable,
                "manage.py",
                "mentora_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--worker-id",
                f"worker{index}-{secrets.token_hex(4)}",
            ],
            self.env,
            self.folder / f"worker{index}.log",
        )

    def _app(self, index: int) -> Process:
        return Process(
            f"app{index}",
            [
                sys.executable,
                "manage.py",
                "mentora_serve",
                "--bind",
                f"127.0.0.1:{self.app_ports[index]}",
            ],
            self.env,
            self.folder / f"app{index}.log",
        )

    def close(self) -> None:
        """Stop everything this topology started and remove its files."""
        processes = [p for p in [self.haproxy, *self.apps, *self.workers] if p is not None]
        for process in processes:
            process.signal(signal.SIGTERM)
        for process in processes:
            process.stop(timeout=5)
        self.smtp.stop()
        try:
            self.cluster.stop("immediate")
        except (subprocess.SubprocessError, OSError):
            pass
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self in _started:
            _started.remove(self)

    def __enter__(self) -> Topology:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- faults ------------------------------------------------------------------------

    def kill_worker(self, index: int) -> None:
        self.workers[index].kill()

    def start_worker(self, index: int) -> None:
        self.workers[index] = self._worker(index)
        self.workers[index].start()

    def kill_app(self, index: int) -> None:
        self.apps[index].kill()

    def start_app(self, index: int) -> None:
        self.apps[index] = self._app(index)
        self.apps[index].start()

    # ---- looking in --------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.lb_port}"

    def health(self, port: int | None = None) -> tuple[int, dict[str, Any]]:
        status, body = request(f"http://127.0.0.1:{port or self.lb_port}/healthz")
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {}

    def wait_until_healthy(self, *, workers: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in [self.haproxy, *self.apps, *self.workers]:
                if process is not None and not process.alive():
                    raise RuntimeError(f"{process.name} stopped:\n{self.log(process.name)}")
            try:
                answers = [self.health(port) for port in self.app_ports]
                if all(code == 200 and body["workers"] >= workers for code, body in answers):
                    # Both servers answer on their own; the load balancer must also have
                    # brought both in, or every request goes to the first that it did.
                    if self.health()[0] == 200 and set(self.servers_up()) == {"app1", "app2"}:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("the topology did not become healthy:\n" + self.log("app0"))

    def servers_up(self) -> list[str]:
        """The application servers that HAProxy's health checks count as up."""
        status, body = request(f"http://127.0.0.1:{self.stats_port}/stats;csv")
        if status != 200:
            return []
        rows = csv.DictReader(io.StringIO(body.lstrip("# ")))
        return [
            row["svname"]
            for row in rows
            if row["pxname"] == "mentora_app"
            and row["svname"] not in ("FRONTEND", "BACKEND")
            and row["status"].startswith("UP")
        ]

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.cluster.url("mentora"), autocommit=True) as conn:
            return list(conn.execute(query, params).fetchall())

    def restart_database(self) -> None:
        self.cluster.restart()


_started: list[Topology] = []


def _close_all() -> None:
    for topology in list(_started):
        topology.close()


atexit.register(_close_all)


def _stop_on_sigterm() -> None:
    """A SIGTERM (a CI timeout, `timeout`, `kill`) would end Python without running
    `finally` blocks or atexit; turn it into SystemExit so everything is stopped."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:

        def stop(signum: int, frame: Any) -> None:
            raise SystemExit(128 + signum)

        signal.signal(signal.SIGTERM, stop)


def request(
    url: str,
    data: dict[str, str] | None = None,
    opener: urllib.request.OpenerDirector | None = None,
    timeout: float = 15,
) -> tuple[int, str]:
    """GET (or POST `data`, form-encoded) `url`; the status and the body, errors included."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    call = (opener or urllib.request.build_opener()).open
    try:
        with call(urllib.request.Request(url, data=body), timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """A visitor with a cookie jar, who logs in through the real log-in form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.no_redirect = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        return request(self.base + path, opener=self.opener)

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        return request(self.base + path, data=data, opener=self.opener)

    def post_no_redirect(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        """POST without following the answer's redirect: a 302 is the application's
        acknowledgement that it acted."""
        return request(self.base + path, data=data, opener=self.no_redirect)

    def csrf_token(self) -> str:
        """The CSRF token from the cookie (Django accepts it as the form field)."""
        return next((c.value or "" for c in self.cookies if c.name == "csrftoken"), "")

    def csrf(self, page: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not match:
            raise AssertionError("no CSRF token on the page")
        return match.group(1)

    def login(self, email: str, password: str = DEMO_PASSWORD) -> None:
        status, page = self.get("/login/")
        assert status == 200, status
        status, page = self.post(
            "/login/",
            {"csrfmiddlewaretoken": self.csrf(page), "username": email, "password": password},
        )
        assert status == 200 and 'name="password"' not in page, "log-in failed"

    def session_key(self) -> str:
        return next((c.value or "" for c in self.cookies if c.name == "sessionid"), "")
