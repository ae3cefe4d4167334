"""Every page of the product, as every persona: private text stays with its readers, every
page is valid HTML, and none answers with a server error.

A unique marker goes into every private text (notes, agendas, reflections, feedback,
goals' descriptions, agreements, closure texts, unpublished stories, free-text survey
answers, the reasons for ending or declining, the programme team's own notes); then every
persona, and an anonymous visitor, requests every page, htmx fragment and download of the
product with every id the database holds, and the real task worker sends every e-mail
into a real SMTP sink. A marker may appear only where one of its readers looks; no marker
may ever appear in a page title, a URL, an e-mail subject, the audit log or a log line.
Both parts of every e-mail (plain text and HTML) are read, and every in-app notification.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import database_url, ensure_shipped_libraries
from mentora.core.models import AuditEntry
from mentora.notifications.models import Notification
from tests.crawl import Route, id_pools, page_title, readable_text, routes, urls
from tests.world import ERASED_EMAIL, ERASED_EMPLOYEE_ID, ERASED_NAME, World, build_world

# The world is built once for the module and only read by its tests, each of which runs
# in a transaction that is rolled back; the module's fixture flushes the world at the end.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# Pages whose content answer is not 200: the health check says 503 while no worker runs,
# and the front door sends everyone on to where they belong. A report chart exists only
# once a survey is published with at least 5 answers, or retention has 5 people in each
# group, which this small world never reaches: here it answers 404 (its drawing is tested
# in mentora/reports/tests, on a programme large enough). The way back from an
# organisation's OpenID provider is reached only from that provider. The SCIM API answers
# a bearer token only, never a session, so a persona gets 401 (its tests are in mentora/scim/tests).
# No persona has set up two-factor log-in (each would then be asked for a code on every
# page), so the page that asks for one sends them on to set it up.
CONTENT_STATUS = {
    "two_factor_verify": 302,
    "healthz": 503,
    # Metrics answer only a scraper holding the metrics token.
    "metrics": 404,
    "home": 302,
    "report_chart_survey": 404,
    "report_chart_retention": 404,
    # The way back from an organisation's OpenID provider signs someone in (a redirect)
    # or, asked without a log-in started here, shows the refusal page.
    "sso_oidc_callback": 403,
    "scim_service_provider_config": 401,
    "scim_resource_types": 401,
    "scim_schemas": 401,
    "scim_users": 401,
    "scim_user": 401,
    "scim_groups": 401,
    "scim_group": 401,
}


@dataclass
class Seen:
    persona: str
    url: str
    route: Route
    status: int
    content_type: str
    text: str
    location: str


@dataclass
class Crawl:
    world: World
    responses: list[Seen] = field(default_factory=list)
    emails: list[EmailMessage] = field(default_factory=list)
    logged: str = ""
    routes: list[Route] = field(default_factory=list)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def crawl(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Crawl]:
    """Build the world once for the module, crawl it, and flush it away afterwards."""
    import subprocess
    import sys

    from django.test.utils import override_settings

    from conftest import REPO, SmtpSink, _Sink, free_port

    records = _Records()
    logging.getLogger().addHandler(records)
    handler = _Sink()
    port = free_port()
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    sink = SmtpSink("127.0.0.1", port, handler)
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=port,
            ),
        ):
            ensure_shipped_libraries()
            world = build_world()
            worker = subprocess.run(
                [sys.executable, "manage.py", "mentora_worker", "--batch", "--no-reload"]
                + ["--no-startup-delay", "--interval", "0"],
                cwd=REPO,
                env={
                    **__import__("os").environ,
                    "DATABASE_URL": database_url(),
                    "MENTORA_TESTING": "1",
                    "EMAIL_HOST": "127.0.0.1",
                    "EMAIL_PORT": str(port),
                },
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            assert worker.returncode == 0, worker.stdout + worker.stderr
            result = Crawl(world=world, routes=routes())
            result.emails = list(sink.messages)
            _request_everything(result)
            result.logged = "\n".join(records.lines) + worker.stdout + worker.stderr
            result.audit = [  # type: ignore[attr-defined]
                f"{e.action} {e.object_repr} {e.changes}" for e in AuditEntry.objects.all()
            ]
            yield result
    finally:
        controller.stop()
        logging.getLogger().removeHandler(records)
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            ensure_shipped_libraries()


def _request_everything(result: Crawl) -> None:
    pools = id_pools()
    for persona, user in [*result.world.users.items(), ("anonymous", None)]:
        client = Client()
        if user is not None:
            client.force_login(user)
        for route in result.routes:
            if not route.accepts_get:
                continue
            for url in urls(route, pools):
                for headers in [{}, {"HTTP_HX_REQUEST": "true"}] if route.has_fragments else [{}]:
                    response = client.get(url, **headers)
                    result.responses.append(
                        Seen(
                            persona=persona,
                            url=url,
                            route=route,
                            status=response.status_code,
                            content_type=response.get("Content-Type", ""),
                            text=readable_text(response),
                            location=response.get("Location", ""),
                        )
                    )


def _leaks(text: str, world: World, reader: str | None) -> list[str]:
    return [
        marker.what
        for marker in world.markers
        if marker.token in text and (reader is None or reader not in marker.readers)
    ]


def _email_text(message: EmailMessage) -> str:
    parts = []
    for part in message.walk():
        payload = None if part.is_multipart() else part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(parts)


def test_private_text_reaches_only_its_readers(crawl: Crawl) -> None:
    world = crawl.world
    problems = []
    shown: dict[str, set[str]] = defaultdict(set)
    for seen in crawl.responses:
        if _leaks(seen.url + seen.location, world, None):
            problems.append(f"{seen.persona} {seen.url}: a marker in a URL")
        if _leaks(page_title(seen.text), world, None):
            problems.append(f"{seen.persona} {seen.url}: a marker in the page title")
        problems += [
            f"{seen.persona} {seen.url}: shows {what}"
            for what in _leaks(seen.text, world, seen.persona)
        ]
        for marker in world.markers:
            if marker.token in seen.text:
                shown[marker.what].add(seen.persona)

    recipients = {user.email: persona for persona, user in world.users.items()}
    for message in crawl.emails:
        subject = str(message["Subject"])
        if _leaks(subject, world, None):
            problems.append(f"e-mail {subject!r}: a marker in the subject")
        for address in str(message["To"]).split(","):
            reader = recipients.get(address.strip())
            body = _email_text(message)
            problems += [
                f"e-mail {subject!r} to {address}: shows {w}" for w in _leaks(body, world, reader)
            ]
            for marker in world.markers:
                if marker.token in body:
                    shown[marker.what].add(f"e-mail to {reader}")
    notifications = list(Notification.objects.select_related("user"))
    for note in notifications:
        reader = recipients.get(note.user.email)
        if _leaks(note.subject + note.link, world, None):
            problems.append(f"notification {note.subject!r}: a marker in the subject or link")
        problems += [
            f"notification {note.subject!r} to {reader}: shows {w}"
            for w in _leaks(note.body, world, reader)
        ]
        for marker in world.markers:
            if marker.token in note.body:
                shown[marker.what].add(f"notification to {reader}")
    for record in crawl.audit:  # type: ignore[attr-defined]
        problems += [f"audit entry {record[:40]}: holds {w}" for w in _leaks(record, world, None)]
    problems += [f"a log line holds {w}" for w in _leaks(crawl.logged, world, None)]

    assert problems == [], "\n".join(sorted(set(problems)))
    # The guard looks where the texts really are: each one is read by one of its readers.
    assert len(crawl.emails) > 10, "the worker sent the world's e-mails"
    # Every e-mail has its HTML part (read above with the text) and its inbox entry, but
    # a guest's invitation: it goes out before the guest has an account, so an inbox too.
    assert all(message.get_body(("html",)) is not None for message in crawl.emails)
    account_emails = [m for m in crawl.emails if str(m["To"]) not in world.guest_addresses]
    assert len(crawl.emails) - len(account_emails) == len(world.guest_addresses)
    # Inbox-only entries (the world writes a few directly) have no e-mail to match.
    emailed = [note for note in notifications if note.channel == "email"]
    assert len(emailed) == len(account_emails)
    unseen = [m.what for m in world.markers if not shown[m.what]]
    assert unseen == [], "never shown to a reader: " + ", ".join(unseen)


def _names_the_erased(text: str) -> bool:
    lowered = text.lower()
    return any(
        needle.lower() in lowered for needle in (ERASED_NAME, "Eraseme", ERASED_EMAIL)
    ) or bool(re.search(rf"(?<![\w-]){ERASED_EMPLOYEE_ID}(?![\w-])", text))


def test_an_erased_person_is_found_on_no_page_download_or_audit_entry(crawl: Crawl) -> None:
    """The world erased someone who had a pair, an inbox, a copy of their data and audit
    entries: no page, fragment, export or API answer, as any persona, names them."""
    problems = [
        f"{seen.persona} {seen.url}" for seen in crawl.responses if _names_the_erased(seen.text)
    ]
    problems += [record[:60] for record in crawl.audit if _names_the_erased(record)]  # type: ignore[attr-defined]
    notes = Notification.objects.all()
    problems += [f"notification {n.pk}" for n in notes if _names_the_erased(n.subject + n.body)]
    assert problems == [], "\n".join(problems)
    # The guard looked where the erased person was: their pair's pages were seen by staff.
    assert any(
        "A former participant" in seen.text and seen.persona == "org_admin"
        for seen in crawl.responses
    )


def test_every_page_is_reached_with_its_content(crawl: Crawl) -> None:
    answered: dict[str, set[int]] = defaultdict(set)
    for seen in crawl.responses:
        answered[seen.route.name].add(seen.status)
    pages = {route.name for route in crawl.routes if route.accepts_get}
    never = sorted(
        name for name in pages if not answered[name] & {200, CONTENT_STATUS.get(name, 200)}
    )
    assert never == [], "never answered with content: " + ", ".join(never)


def test_no_page_answers_with_a_server_error(crawl: Crawl) -> None:
    errors = [
        f"{seen.persona} {seen.url}: {seen.status}"
        for seen in crawl.responses
        if seen.status >= 500 and seen.status != CONTENT_STATUS.get(seen.route.name)
    ]
    assert errors == []


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _as_document(html: str) -> str:
    """An htmx fragment is checked inside the smallest valid page around it."""
    if html.lstrip().lower().startswith("<!doctype html>"):
        return html
    return f"<!doctype html><html lang=en><title>Fragment</title><body>{html}</body></html>"


# Pages a persona sees of one route differ in their data, not in their markup's shape:
# the checker reads the first few distinct ones of each, which keeps it to minutes.
DOCUMENTS_PER_ROUTE_AND_PERSONA = 3


def test_every_page_is_valid_html(crawl: Crawl, html_checker: Any) -> None:
    documents: dict[str, Seen] = {}
    checked: Counter[tuple[str, str]] = Counter()
    for seen in crawl.responses:
        if seen.status in (200, 403, 404, 410) and seen.content_type.startswith("text/html"):
            key = hashlib.sha256(_without_tokens(seen.text).encode()).hexdigest()
            if key in documents or checked[seen.route.name, seen.persona] >= (
                DOCUMENTS_PER_ROUTE_AND_PERSONA
            ):
                continue
            checked[seen.route.name, seen.persona] += 1
            documents[key] = seen
    invalid: dict[str, str] = {}
    for seen in documents.values():
        for error in html_checker.errors(_as_document(seen.text)):
            message = re.sub(r"^line \S+: ", "", error)
            invalid.setdefault(f"{seen.route.name}: {message}", f"{seen.persona} {seen.url}")
    assert len(documents) > 100
    assert invalid == {}, "\n".join(f"{where}: {error}" for error, where in invalid.items())


# Values a careless or hostile person might send, by the kind of field they go into.
HOSTILE_TEXT = [
    "\x00",
    "x" * 20_000,
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil.example","x")',
    "²",
    "🙂\u202e",
    "   ",
]
HOSTILE_NUMBER = ["²", "-1", "99999999999999999999", "1e309", "NaN", "1.5", "", "\x00"]
HOSTILE_DATE = ["9999-12-31", "0001-01-01", "2026-02-30", "²", "", "\x00", "2026-12-31T25:61"]
HOSTILE_CHOICE = ["²", "99999999999999999999", "-1", "\x00", "not-a-choice", ""]
HOSTILE_FILES = [
    b"",
    b"\xff\xfe\x00garbage",
    b"[" * 50_000 + b"]" * 50_000,
    b'{"source": "x", "figures": [{"value": 1e999}], "questions": [{"kind": "nps"}]}',
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
]


def _hostile_values(kind: str) -> list[Any]:
    if kind in ("number", "range"):
        return HOSTILE_NUMBER
    if kind in ("date", "datetime-local", "time", "month"):
        return HOSTILE_DATE
    if kind in ("select", "radio", "checkbox"):
        return HOSTILE_CHOICE
    if kind == "file":
        return HOSTILE_FILES
    return HOSTILE_TEXT


def _row_counts() -> tuple[int, ...]:
    """How many rows every table of the product holds, in one query."""
    from django.apps import apps
    from django.db import connection

    skipped = {"sessions", "axes", "django_tasks_db", "admin"}
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label not in skipped
        and model._meta.managed
        and model.__name__ not in {"ThrottleEvent", "WorkerHeartbeat"}
    )
    select = ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select}")
        return tuple(cursor.fetchone())


def _post(
    client: Client, url: str, data: dict[str, Any], before: tuple[int, ...]
) -> tuple[int, bool]:
    """Post inside a savepoint that is rolled back, so the world stays as it was (`before`)
    for the next post; says whether a refused post changed anything before it was undone."""
    from django.db import transaction

    with transaction.atomic():
        response = client.post(url, data)
        # 201: made, and answered with what is shown only once (a new token's secret).
        refused = response.status_code not in (201, 301, 302, 303)
        changed = refused and _row_counts() != before
        transaction.set_rollback(True)
    return response.status_code, changed


def _upload(value: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("upload.bin", value, "application/octet-stream")


def test_no_post_with_hostile_values_breaks_a_page_or_half_writes(crawl: Crawl) -> None:
    """Every form of the product, posted by a persona who was shown it with one field at a
    time set to each hostile value; every POST endpoint posted by everyone with every field
    hostile. A form that several personas see with the same fields is swept once: what
    differs between them is who may post, which the all-hostile posts check for everyone."""
    from tests.forms import post_forms

    clients: dict[str, Client] = {}
    for persona, user in [*crawl.world.users.items(), ("anonymous", None)]:
        clients[persona] = Client(raise_request_exception=False)
        if user is not None:
            clients[persona].force_login(user)

    forms: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[str, Any]] = {}
    for seen in crawl.responses:
        if seen.status == 200 and seen.content_type.startswith("text/html"):
            for form in post_forms(seen.text, seen.url):
                route = _route_of(crawl, form.action)
                if route is not None:
                    key = (route, tuple(sorted(form.names.items())))
                    forms.setdefault(key, (seen.persona, form))
    problems = []
    posted = 0
    before = _row_counts()
    for (route, _fields), (persona, form) in sorted(forms.items(), key=lambda item: item[0]):
        baseline = form.baseline()
        for name, kind in form.names.items():
            for value in _hostile_values(kind):
                data: dict[str, Any] = dict(baseline)
                data[name] = _upload(value) if kind == "file" else value
                status, changed = _post(clients[persona], form.action, data, before)
                posted += 1
                if status >= 500:
                    problems.append(f"{persona} {route} {name}={str(value)[:20]!r}: {status}")
                if changed:
                    problems.append(f"{persona} {route} {name}={str(value)[:20]!r}: half-written")
    # Everyone else posts to every endpoint too, every field hostile.
    pools = id_pools()
    for route in crawl.routes:
        if route.accepts_get and "POST" not in route.source:
            continue
        url = next(urls(route, pools), None)
        if url is None:
            continue
        names = set(re.findall(r'request\.POST\.get(?:list)?\("(\w+)"', route.source))
        for persona, client in clients.items():
            data = {name: HOSTILE_TEXT[0] for name in names | {"text", "reason", "confirm"}}
            status, changed = _post(client, url, data, before)
            posted += 1
            if status >= 500:
                problems.append(f"{persona} POST {url} (all hostile): {status}")
            if changed:
                problems.append(f"{persona} POST {url} (all hostile): half-written")
    assert posted > 500
    assert problems == [], "\n".join(problems)


def _route_of(crawl: Crawl, path: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        return resolve(path.split("?")[0]).url_name
    except Resolver404:
        return None


def test_no_query_parameter_or_id_breaks_a_page(crawl: Crawl) -> None:
    """Odd query parameters and ids, sent by an anonymous visitor and by every persona the
    page shows its content to (others are turned away before the view reads them); by
    every persona where the page showed its content to none."""
    pools = id_pools()
    shown_to = {(seen.persona, seen.url) for seen in crawl.responses if seen.status == 200}
    shown_urls = {url for _persona, url in shown_to}
    problems = []
    for persona, user in [*crawl.world.users.items(), ("anonymous", None)]:
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for route in crawl.routes:
            if not route.accepts_get:
                continue
            url = next(urls(route, pools), None)
            if url is None:
                continue
            if url in shown_urls and persona != "anonymous" and (persona, url) not in shown_to:
                continue
            variants = [
                f"{url}?{name}={value}"
                for name in route.query_names
                for value in ("²", "99999999999999999999", "%00", "-1", "x" * 3000)
            ]
            variants.append(re.sub(r"/\d+/", "/99999999999999999999/", url))
            for variant in variants:
                status = client.get(variant).status_code
                if status >= 500 and status != CONTENT_STATUS.get(route.name):
                    problems.append(f"{persona} GET {variant[:120]}: {status}")
    assert problems == [], "\n".join(problems)
