"""Fixtures shared by every app's tests: personas, a real SMTP sink, a real worker, a browser."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parent


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the Danish catalogue, so that a fresh clone's tests run with plain pytest too
    (`.mo` files are build output, not kept in the repository)."""
    from mentora.core.i18n import compile_catalogues

    compile_catalogues()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the test database: the PostgreSQL run of "
        "`make test`, where the others would only repeat the SQLite run",
    )


def uses_test_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(
        fixtures & {"db", "transactional_db", "django_db_setup", "live_server"}
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    unused = [item for item in items if not uses_test_database(item)]
    if unused:
        config.hook.pytest_deselected(items=unused)
        items[:] = [item for item in items if uses_test_database(item)]


# Every persona of `make_personas`, by name, for tests that try a page as each of them.
PERSONAS = (
    "admin",
    "org_admin",
    "manager",
    "sponsor",
    "mentor",
    "mentee",
    "line_manager",
    "outsider",
)
# What each persona gets from a page that only those running a programme may use: the
# members of the organisation learn that they may not (403), an outsider learns nothing (404).
MANAGERS_ONLY = {
    "admin": 200,
    "org_admin": 200,
    "manager": 200,
    "outsider": 404,
    **dict.fromkeys(("sponsor", "mentor", "mentee", "line_manager"), 403),
}
# ...and from a page that sponsors may read too.
READERS = {**MANAGERS_ONLY, "sponsor": 200}
# ...and from a form that only those running a programme may send: they are redirected.
WRITE = {who: 302 if code == 200 else code for who, code in MANAGERS_ONLY.items()}
# ...and from a page every member, and every outsider, may see.
EVERYONE = dict.fromkeys(PERSONAS, 200)


@dataclass
class Personas:
    """One user per role in one organisation, plus an outsider in another."""

    organisation: Any
    admin: Any
    org_admin: Any
    manager: Any
    sponsor: Any
    mentor: Any
    mentee: Any
    line_manager: Any
    outsider: Any
    other_organisation: Any
    people: dict[str, Any] = field(default_factory=dict)

    def members(self) -> dict[str, Any]:
        return {
            "org_admin": self.org_admin,
            "manager": self.manager,
            "sponsor": self.sponsor,
            "mentor": self.mentor,
            "mentee": self.mentee,
            "line_manager": self.line_manager,
        }

    def all(self) -> dict[str, Any]:
        return {"admin": self.admin, **self.members(), "outsider": self.outsider}


def make_person(
    organisation: Any, employee_id: str, first_name: str, last_name: str, **fields: Any
) -> Any:
    """An HR record in `organisation`; `fields` are any other fields of a person."""
    from mentora.people.models import Person

    return Person.objects.create(
        organisation=organisation,
        employee_id=employee_id,
        first_name=first_name,
        last_name=last_name,
        **fields,
    )


def audited(action: str) -> list[str]:
    """The ids of the objects the audit log has an entry `action` for, in order."""
    from mentora.core.models import AuditEntry

    return sorted(AuditEntry.objects.filter(action=action).values_list("object_id", flat=True))


def undo_key(client: Any) -> str:
    """The key of the undo the last batch of changes left in the client's session."""
    return str(client.session["bulk_undo"]["key"])


def another_programme(setup: Any) -> Any:
    """A second programme of `setup`'s organisation (any setup with `personas` and a
    `programme`), whose rows a list of the first must refuse."""
    from mentora.programmes.services import design

    return design.programme_create(
        organisation=setup.personas.organisation,
        actor=setup.personas.manager,
        name="Another",
        purpose="Another.",
        start_date=setup.programme.start_date,
        end_date=setup.programme.end_date,
    )


def invite_member(personas: Personas, email: str, role: str, **extra: Any) -> Any:
    """Acme's administrator invites `email` as `role`; `extra` are the invitation's other fields."""
    from mentora.accounts.services import member_invite

    return member_invite(
        organisation=personas.organisation,
        email=email,
        role=role,
        actor=personas.org_admin,
        **extra,
    )


def make_personas() -> Personas:
    from mentora.accounts.models import Membership, Organisation, Role, User
    from mentora.people.models import OrgUnit, OrgUnitKind

    organisation = Organisation.objects.create(name="Acme Energy", slug="acme")
    other = Organisation.objects.create(name="Other Works", slug="other")

    def user(email: str, role: str | None, org: Any = organisation, **extra: Any) -> Any:
        u = User.objects.create_user(
            email=email, password="pw", full_name=email.split("@")[0], **extra
        )
        if role:
            Membership.objects.create(user=u, organisation=org, role=role)
        return u

    personas = Personas(
        organisation=organisation,
        admin=user("admin@test.example", None, is_staff=True, is_superuser=True),
        org_admin=user("orgadmin@test.example", Role.ORG_ADMIN),
        manager=user("manager@test.example", Role.PROGRAMME_MANAGER),
        sponsor=user("sponsor@test.example", Role.SPONSOR),
        mentor=user("mentor@test.example", Role.MENTOR),
        mentee=user("mentee@test.example", Role.MENTEE),
        line_manager=user("linemanager@test.example", Role.LINE_MANAGER),
        outsider=user("outsider@test.example", Role.ORG_ADMIN, org=other),
        other_organisation=other,
    )
    division = OrgUnit.objects.create(
        organisation=organisation, name="Tech", kind=OrgUnitKind.DIVISION
    )
    team = OrgUnit.objects.create(
        organisation=organisation, parent=division, name="Apps", kind=OrgUnitKind.TEAM
    )
    boss = make_person(organisation, "E1", "Bo", "Boss", org_unit=division, level=8)
    lead = make_person(
        organisation,
        "E2",
        "Lena",
        "Lead",
        manager=boss,
        org_unit=team,
        level=6,
        user=personas.line_manager,
    )
    junior = make_person(
        organisation,
        "E3",
        "Jo",
        "Junior",
        manager=lead,
        org_unit=team,
        level=2,
        gender="female",
        user=personas.mentee,
    )
    personas.people = {"boss": boss, "lead": lead, "junior": junior}
    return personas


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture
def client_for(client: Any) -> Any:
    """`client_for(user)`: the test client logged in as `user` (or anonymous for None)."""

    def login(user: Any) -> Any:
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


class _Sink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return list(self.messages)


@dataclass
class SmtpSink:
    host: str
    port: int
    handler: _Sink

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def wait_for(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        return self.handler.wait_for(count, timeout)


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    """A real SMTP server on localhost; Django sends to it over the network."""
    handler = _Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield SmtpSink("127.0.0.1", port, handler)
    finally:
        controller.stop()


def database_url() -> str:
    """The URL of the database the tests are using right now, for a worker subprocess."""
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(params['NAME']).resolve()}"
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = params.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}{host}:{params.get('PORT') or 5432}/{params['NAME']}"


@pytest.fixture
def run_worker() -> Any:
    """Run a real task worker process over the test database until the queue is empty."""

    def run(extra_env: dict[str, str] | None = None, timeout: float = 60) -> str:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MENTORA_TESTING": "1",
            **(extra_env or {}),
        }
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "mentora_worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout + result.stderr

    return run


def post_at_once(
    user: Any, url: str, data: dict[str, Any], times: int
) -> list[tuple[int, list[str]]]:
    """`times` clients, each logged in as `user`, post `data` to `url` at the same moment (a
    transactional test: each request runs in its own thread and connection). Returns each
    answer's status code with the messages it carries, in the order they came back."""
    from django.contrib.messages import get_messages
    from django.db import connection
    from django.test import Client

    start = threading.Barrier(times)
    answers: list[tuple[int, list[str]]] = []
    lock = threading.Lock()

    def send() -> None:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        try:
            start.wait()
            response = client.post(url, data)
            said = [str(m) for m in get_messages(response.wsgi_request)]
            with lock:
                answers.append((response.status_code, said))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


# The marks of every end-to-end test: the browser drives a live server, which sees only
# what is committed.
BROWSER_TEST = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Debian's chromium is not installed; `make test` installs it.")
    return path


@pytest.fixture(autouse=True)
def english_by_default() -> Iterator[None]:
    """Every test starts in English, whatever language an earlier request switched to."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Every test starts with nothing cached: ids and clocks repeat from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def email_at_once(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Send each e-mail as soon as it is queued, inside the change's transaction, so a test
    reads it (`mailoutbox`, `smtp_sink`) right after the change, with no worker running and
    the test's transaction never committed. Tests marked `outbox` deliver as production
    does: after the commit, by the task worker."""
    if request.node.get_closest_marker("outbox") is None:
        from mentora.notifications import services

        monkeypatch.setattr(services, "DELIVER_AT_ONCE", True)


def ensure_shipped_libraries() -> None:
    """Put back the libraries Mentora ships through data migrations (survey instruments,
    conversation tools) when a transactional test flushed them away."""
    from mentora.relationships.models import Tool
    from mentora.relationships.toolbox import load_library
    from mentora.surveys.builtin_instruments import load_builtin_instruments
    from mentora.surveys.models import Instrument

    if not Tool.objects.filter(programme__isnull=True).exists():
        load_library(Tool)
    if not Instrument.objects.filter(source="builtin").exists():
        load_builtin_instruments()


@pytest.fixture(autouse=True)
def shipped_libraries(request: pytest.FixtureRequest) -> None:
    """Put back the libraries Mentora ships through data migrations (survey instruments,
    conversation tools) when a transactional test before this one flushed them away."""
    uses_database = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db")
    )
    if not uses_database:
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_shipped_libraries()


class HtmlChecker:
    """The Nu HTML Checker (the W3C's validator), run once as a local service."""

    def __init__(self, url: str) -> None:
        self.url = url

    def errors(self, html: str) -> list[str]:
        import json
        import urllib.request

        request = urllib.request.Request(
            f"{self.url}?out=json",
            data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            messages = json.load(response)["messages"]
        return [
            f"line {m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()}]"
            for m in messages
            if m["type"] == "error"
        ]


@pytest.fixture(scope="session")
def html_checker() -> Iterator[HtmlChecker]:
    import time

    jar = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.exists():
        # A fresh clone tested with plain pytest: install the checker as `make test` does.
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=REPO, check=False
        )
    if not jar.exists():
        pytest.fail("The Nu HTML Checker is missing and `npm ci` could not install it.")
    port = free_port()
    process = subprocess.Popen(
        [
            "java",
            # Its schema compiler recurses deeply.
            "-Xss16m",
            "-cp",
            str(jar),
            "-Dnu.validator.servlet.bind-address=127.0.0.1",
            "nu.validator.servlet.Main",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    checker = HtmlChecker(f"http://127.0.0.1:{port}/")
    try:
        for _ in range(240):
            try:
                checker.errors("<!doctype html><html lang=en><title>t</title></html>")
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("The Nu HTML Checker did not start.")
                time.sleep(0.5)
        else:
            pytest.fail("The Nu HTML Checker did not answer within two minutes.")
        yield checker
    finally:
        process.terminate()
        process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM must still work here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, html_checker: HtmlChecker) -> Iterator[Any]:
    """A fresh browser tab. When the test ends, it fails on any console error and on any
    page it loaded that is not valid HTML (every id unique among them)."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    documents: list[tuple[str, str]] = []

    def keep_document(response: Any) -> None:
        content_type = response.headers.get("content-type", "")
        # A redirect has no body to check; the page it leads to is checked when it loads.
        if 300 <= response.status < 400:
            return
        if response.request.resource_type == "document" and content_type.startswith("text/html"):
            documents.append((response.url, response.text()))

    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", keep_document)
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert errors == [], f"console errors: {errors}"
    invalid = [f"{url}: {error}" for url, html in documents for error in html_checker.errors(html)]
    assert documents, "the test loaded no page"
    assert invalid == [], "invalid HTML:\n" + "\n".join(invalid)


def log_in(page: Any, base: str, email: str, password: str = "pw") -> None:
    page.goto(f"{base}/login/")
    # The password form only: the page also offers "Log in with your organisation".
    form = page.locator('form[action$="/login/"]')
    form.get_by_label("E-mail address").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/dashboard/")
