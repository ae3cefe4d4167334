"""The outbox: e-mail written with the change that caused it, sent once by the worker,
kept through a mail server's outage, taken over from a worker that died."""

from __future__ import annotations

import datetime as dt
import smtplib
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import _Sink, free_port
from mentora.core import metrics
from mentora.notifications import services
from mentora.notifications.models import Notification, OutboxMessage, OutboxState
from mentora.notifications.tasks import deliver_outbox

pytestmark = pytest.mark.outbox

INVITE = {
    "programme": {"name": "Graduate onboarding", "organisation": {"name": "Acme"}, "purpose": ""},
    "participant": {"get_role_display": "mentee"},
    "apply_path": "/participants/7/apply/",
}


def _notify(user: Any, key: str = "", name: str = "Graduate onboarding") -> Any:
    context = {**INVITE, "programme": {**INVITE["programme"], "name": name}}
    return services.notify(
        user=user,
        template="programmes/email/invitation",
        context=context,
        link="/participants/7/apply/",
        key=key,
    )


def _smtp_env(port: int) -> dict[str, str]:
    return {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)}


class _Refusing(_Sink):
    """A mail server with no mailbox for one address: it answers 550 to it."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_change_rolled_back_queues_and_sends_nothing(personas: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(personas.mentee)
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("the change fails")
    assert not OutboxMessage.objects.exists()
    assert not Notification.objects.exists()


def test_notifying_twice_of_one_event_queues_one_email_and_one_inbox_entry(
    personas: Any,
) -> None:
    first = _notify(personas.mentee, key="invited:7")
    again = _notify(personas.mentee, key="invited:7", name="Another name")
    assert again == first
    # The same message without a key is one event too, on one day.
    _notify(personas.mentor)
    _notify(personas.mentor)
    # Another event, or another person, is another e-mail.
    _notify(personas.mentee, key="invited:8")
    assert OutboxMessage.objects.filter(to_address=personas.mentee.email).count() == 2
    assert OutboxMessage.objects.filter(to_address=personas.mentor.email).count() == 1
    assert Notification.objects.count() == 3
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.QUEUED}


def test_each_email_gets_its_message_id_when_queued(personas: Any) -> None:
    one = _notify(personas.mentee, key="a")
    two = _notify(personas.mentee, key="b")
    ids = list(
        OutboxMessage.objects.filter(notification__in=[one, two]).values_list(
            "message_id", flat=True
        )
    )
    assert len(set(ids)) == 2
    assert all(i.startswith("<") and i.endswith(">") and "@" in i for i in ids)


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_what_was_committed_once_and_nothing_rolled_back(
    personas: Any, smtp_sink: Any, run_worker: Any
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(personas.mentor, key="rolled-back")
        raise RuntimeError("the change fails")
    notification = _notify(personas.mentee)
    row = OutboxMessage.objects.get()
    assert row.state == OutboxState.QUEUED and notification.emailed_at is None
    # The commit woke a worker: the e-mail did not go inside the change.
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_outbox").count() == 1
    assert smtp_sink.messages == []

    run_worker(_smtp_env(smtp_sink.port))
    run_worker(_smtp_env(smtp_sink.port))
    [message] = smtp_sink.wait_for(1, timeout=5)
    row.refresh_from_db()
    notification.refresh_from_db()
    assert message["To"] == personas.mentee.email
    assert message["Message-ID"] == row.message_id
    assert row.state == OutboxState.SENT and row.attempts == 1 and row.sent_at
    assert notification.emailed_at == row.sent_at
    assert len(smtp_sink.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_while_the_mail_server_refuses_connections_email_waits_then_goes_once(
    personas: Any, run_worker: Any, settings: Any
) -> None:
    port = free_port()  # nothing listens there yet
    for person in (personas.mentee, personas.mentor, personas.manager):
        _notify(person)
    run_worker(_smtp_env(port))
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert [row.state for row in rows] == [OutboxState.QUEUED] * 3
    assert all(row.attempts == 1 for row in rows)
    assert all(row.last_error == "ConnectionRefusedError" for row in rows)
    assert all(row.next_attempt_at > timezone.now() for row in rows)
    # A retry is due later, with a task already waiting for that moment.
    assert DBTaskResult.objects.filter(
        task_path__endswith="deliver_outbox", status="READY", run_after__gt=timezone.now()
    ).exists()

    handler = _Sink()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        # Time passes: the back-off is over, and the every-minute sweep wakes a worker.
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        call_command("sweep_outbox")
        run_worker(_smtp_env(port))
        run_worker(_smtp_env(port))
        handler.wait_for(3, timeout=5)
    finally:
        server.stop()
    assert sorted(str(m["To"]) for m in handler.messages) == sorted(
        [personas.mentee.email, personas.mentor.email, personas.manager.email]
    )
    assert len({m["Message-ID"] for m in handler.messages}) == 3
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.SENT}
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {2}


def test_the_back_off_doubles_and_stops_growing_at_its_cap(personas: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_OUTBOX_RETRY_BASE_SECONDS, settings.EMAIL_OUTBOX_RETRY_MAX_SECONDS = 10, 60
    _notify(personas.mentee)
    waits = []
    for _attempt in range(5):
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        before = timezone.now()
        assert services.outbox_deliver() == 0
        row = OutboxMessage.objects.get()
        waits.append(round((row.next_attempt_at - before).total_seconds()))
    assert waits == [10, 20, 40, 60, 60]
    assert row.state == OutboxState.QUEUED and row.attempts == 5


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_died_holding_an_email_is_taken_over_and_it_goes_once(
    personas: Any, smtp_sink: Any, run_worker: Any
) -> None:
    _notify(personas.mentee)
    _notify(personas.mentor)
    DBTaskResult.objects.all().delete()  # the worker that took the task died with it
    now = timezone.now()
    dead = OutboxMessage.objects.get(to_address=personas.mentee.email)
    alive = OutboxMessage.objects.get(to_address=personas.mentor.email)
    OutboxMessage.objects.filter(pk=dead.pk).update(
        state=OutboxState.SENDING, claim="dead", claimed_until=now - dt.timedelta(seconds=1)
    )
    OutboxMessage.objects.filter(pk=alive.pk).update(
        state=OutboxState.SENDING, claim="alive", claimed_until=now + dt.timedelta(minutes=5)
    )

    call_command("sweep_outbox")
    run_worker(_smtp_env(smtp_sink.port))
    [message] = smtp_sink.wait_for(1, timeout=5)
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert message["To"] == personas.mentee.email
    assert message["Message-ID"] == dead.message_id
    assert dead.state == OutboxState.SENT and dead.claim == ""
    # A worker still within its lease keeps what it claimed.
    assert alive.state == OutboxState.SENDING and alive.claim == "alive"
    assert len(smtp_sink.messages) == 1


def _claimed(row: OutboxMessage, *, worker: str, at: dt.datetime, lease: int) -> None:
    OutboxMessage.objects.filter(pk=row.pk).update(
        state=OutboxState.SENDING,
        claim=f"claim-of-{worker}",
        claimed_by=worker,
        claimed_until=at + dt.timedelta(seconds=lease),
    )


@pytest.mark.django_db(transaction=True)
def test_the_emails_of_a_worker_that_stopped_beating_go_at_once_and_once(
    personas: Any, smtp_sink: Any, run_worker: Any, settings: Any
) -> None:
    from mentora.core.management.commands.mentora_worker import heartbeat
    from mentora.core.models import WorkerHeartbeat

    settings.WORKER_STALE_SECONDS, settings.EMAIL_OUTBOX_LEASE_SECONDS = 30, 120
    for person in (personas.mentee, personas.mentor, personas.manager):
        _notify(person)
    DBTaskResult.objects.all().delete()  # the worker that took the task died with it
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="dead", hostname="h", pid=1, seen_at=now - dt.timedelta(minutes=2)
    )
    # The live worker is delivering: its beat names its delivery task, which runs.
    delivery = DBTaskResult.objects.get(pk=deliver_outbox.enqueue().id)
    delivery.claim("alive")
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=2, task=str(delivery.pk))
    dead, alive, starting = (
        OutboxMessage.objects.get(to_address=person.email)
        for person in (personas.mentee, personas.mentor, personas.manager)
    )
    # Claimed 40 s ago: their lease still runs for 80 s.
    _claimed(dead, worker="dead", at=now - dt.timedelta(seconds=40), lease=120)
    _claimed(alive, worker="alive", at=now - dt.timedelta(seconds=40), lease=120)
    # A worker that claimed before its first beat is not taken for dead.
    _claimed(starting, worker="starting", at=now, lease=120)

    # Any worker's next beat sees the dead one's silence and gives its e-mail back.
    heartbeat("another")
    run_worker(_smtp_env(smtp_sink.port))
    [message] = smtp_sink.wait_for(1, timeout=5)
    for row in (dead, alive, starting):
        row.refresh_from_db()
    assert message["To"] == personas.mentee.email
    assert message["Message-ID"] == dead.message_id
    assert dead.state == OutboxState.SENT and dead.claim == "" and dead.claimed_by == ""
    assert (alive.state, alive.claimed_by) == (OutboxState.SENDING, "alive")
    assert (starting.state, starting.claimed_by) == (OutboxState.SENDING, "starting")
    assert len(smtp_sink.messages) == 1


@pytest.mark.parametrize("doing", ["nothing", "another task"])
@pytest.mark.django_db(transaction=True)
def test_the_emails_of_a_live_worker_that_gave_up_delivering_go_back_at_once(
    personas: Any, settings: Any, doing: str
) -> None:
    from mentora.core.management.commands.mentora_worker import heartbeat
    from mentora.core.models import WorkerHeartbeat
    from mentora.notifications import tasks

    settings.WORKER_STALE_SECONDS, settings.EMAIL_OUTBOX_LEASE_SECONDS = 30, 120
    _notify(personas.mentee)
    now = timezone.now()
    # Its delivery failed when the database went away; the worker beats on, doing
    # nothing or something else, and would hold the e-mail until its lease ran out.
    task = ""
    if doing == "another task":
        other = DBTaskResult.objects.get(pk=tasks.send_digests.enqueue().id)
        other.claim("w1")
        task = str(other.pk)
    WorkerHeartbeat.objects.create(worker_id="w1", hostname="h", pid=2, task=task)
    row = OutboxMessage.objects.get(to_address=personas.mentee.email)
    _claimed(row, worker="w1", at=now - dt.timedelta(seconds=40), lease=120)

    heartbeat("another")

    row.refresh_from_db()
    assert (row.state, row.claim, row.claimed_by) == (OutboxState.QUEUED, "", "")


def test_a_worker_claims_emails_in_its_own_name(personas: Any) -> None:
    from mentora.core.task_backend import worker_bound

    _notify(personas.mentee)
    _notify(personas.mentor)
    with worker_bound("w1"):
        services._claim(now=timezone.now(), claim="mine")
    assert set(OutboxMessage.objects.values_list("claim", "claimed_by")) == {("mine", "w1")}


@pytest.mark.django_db(transaction=True)
def test_an_address_the_server_refuses_for_good_is_marked_failed_and_shown(
    personas: Any, run_worker: Any, client_for: Any
) -> None:
    handler = _Refusing(refused=personas.mentee.email)
    port = free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        _notify(personas.mentee)
        _notify(personas.mentor)
        run_worker(_smtp_env(port))
        handler.wait_for(1, timeout=5)
    finally:
        server.stop()
    refused = OutboxMessage.objects.get(to_address=personas.mentee.email)
    assert refused.state == OutboxState.FAILED and refused.failed_at and refused.attempts == 1
    # The server's code, not its words: they may echo the message or the address.
    assert refused.last_error == "SMTPRecipientsRefused 550"
    assert OutboxMessage.objects.get(to_address=personas.mentor.email).state == "sent"
    assert [str(m["To"]) for m in handler.messages] == [personas.mentor.email]

    # The platform admin sees it, counted, without the message's words.
    home = client_for(personas.admin).get(reverse("dashboard")).content.decode()
    assert "The mail server refused 1 e-mail for good." in home
    listing = client_for(personas.admin).get(
        reverse("admin:notifications_outboxmessage_changelist") + "?state__exact=failed"
    )
    page = listing.content.decode()
    assert listing.status_code == 200
    assert personas.mentee.email in page and "SMTPRecipientsRefused 550" in page
    assert refused.subject not in page and personas.mentor.email not in page
    # Nobody else does.
    assert "refused" not in client_for(personas.manager).get(reverse("dashboard")).content.decode()
    assert (
        client_for(personas.manager)
        .get(reverse("admin:notifications_outboxmessage_changelist"))
        .status_code
        == 302
    )
    scraped = metrics.render().decode()
    assert "mentora_email_outbox_failed 1.0" in scraped


def test_metrics_show_how_many_emails_wait_and_for_how_long(personas: Any) -> None:
    assert "mentora_email_outbox_depth 0.0" in metrics.render().decode()
    _notify(personas.mentee)
    OutboxMessage.objects.update(created_at=timezone.now() - dt.timedelta(minutes=10))
    _notify(personas.mentor)
    scraped = metrics.render().decode()
    assert "mentora_email_outbox_depth 2.0" in scraped
    [age] = [
        line.split()[1]
        for line in scraped.splitlines()
        if line.startswith("mentora_email_outbox_oldest_age_seconds ")
    ]
    assert 600 <= float(age) < 700


def test_the_sweep_clears_the_text_of_emails_sent_days_ago(personas: Any, settings: Any) -> None:
    settings.EMAIL_OUTBOX_KEEP_DAYS = 7
    _notify(personas.mentee)
    _notify(personas.mentor)
    _notify(personas.manager)
    now = timezone.now()
    old, recent, waiting = OutboxMessage.objects.order_by("pk")
    OutboxMessage.objects.filter(pk=old.pk).update(state="sent", sent_at=now - dt.timedelta(8))
    OutboxMessage.objects.filter(pk=recent.pk).update(state="sent", sent_at=now - dt.timedelta(6))
    OutboxMessage.objects.filter(pk=waiting.pk).update(created_at=now - dt.timedelta(9))
    assert services.outbox_sweep(now=now) == (1, 1)
    old.refresh_from_db()
    recent.refresh_from_db()
    waiting.refresh_from_db()
    assert (old.text, old.html, old.attachments) == ("", "", [])
    assert old.cleared_at == now and old.message_id and old.key
    assert recent.text and recent.html and waiting.text


def test_a_temporary_refusal_is_told_from_a_permanent_one() -> None:
    assert services._permanent(smtplib.SMTPRecipientsRefused({"a@x": (550, b"no")}))
    assert not services._permanent(smtplib.SMTPRecipientsRefused({"a@x": (451, b"later")}))
    assert services._permanent(smtplib.SMTPDataError(554, b"rejected"))
    assert not services._permanent(smtplib.SMTPDataError(421, b"busy"))
    assert not services._permanent(ConnectionRefusedError())
    assert not services._permanent(smtplib.SMTPServerDisconnected())


def test_the_message_as_sent_is_the_message_as_queued(personas: Any) -> None:
    row_id = _notify(personas.mentee).pk
    row = OutboxMessage.objects.get(notification_id=row_id)
    built = services._message_of(row, connection=None).message()
    parsed = message_from_bytes(built.as_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == row.message_id
    assert parsed["Subject"] == row.subject
    assert parsed.get_body(("plain",)).get_content().strip() == row.text.strip()


@pytest.mark.django_db(transaction=True)
def test_workers_delivering_at_once_send_each_email_once(
    personas: Any, smtp_sink: Any, settings: Any
) -> None:
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: there, workers take turns")
    settings.EMAIL_OUTBOX_BATCH = 3
    for n in range(24):
        _notify(personas.mentee, key=f"event:{n}")
    start = threading.Barrier(4)
    counts: list[int] = []

    def work() -> None:
        try:
            start.wait()
            counts.append(services.outbox_deliver())
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    smtp_sink.wait_for(24, timeout=10)
    assert sum(counts) == 24, counts
    assert len(smtp_sink.messages) == 24
    assert len({m["Message-ID"] for m in smtp_sink.messages}) == 24
    # Nobody claimed a row another worker held.
    assert set(OutboxMessage.objects.values_list("state", "attempts")) == {("sent", 1)}


def test_a_worker_gives_back_what_it_could_not_send_within_its_lease(
    personas: Any, mailoutbox: list[Any], settings: Any
) -> None:
    settings.EMAIL_OUTBOX_LEASE_SECONDS, settings.EMAIL_TIMEOUT = 120, 30
    _notify(personas.mentee)
    _notify(personas.mentor)
    first, second = services._claim(now=timezone.now(), claim="mine")
    # Sending the first took so long that the second could not be sent before the lease
    # ends: another worker would take it over while this one still sent it.
    second.claimed_until = timezone.now() + dt.timedelta(seconds=20)
    assert services._deliver([first, second], claim="mine") == 1
    assert [m.to for m in mailoutbox] == [[first.to_address]]
    second.refresh_from_db()
    assert second.state == OutboxState.QUEUED and second.attempts == 0 and second.claim == ""
    assert OutboxMessage.objects.due(timezone.now()).get() == second
