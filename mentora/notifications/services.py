"""Notify people: an entry in their inbox, and an e-mail at once or in a daily digest.

Every e-mail Mentora sends goes through `notify`, so the inbox mirrors all of them (a
guest's invitation, with no account and no inbox, goes straight to `email_queue`). E-mails
wait in the outbox (`OutboxMessage`), written with the change, until the task worker sends
them after it commits: see `outbox_deliver`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import smtplib
import uuid
from collections.abc import Mapping
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.core.health import worker_stale_after
from mentora.core.metrics import EMAILS
from mentora.core.task_backend import current_worker, workers_done_with
from mentora.notifications import mail
from mentora.notifications.kinds import KINDS, Kind, kind_for
from mentora.notifications.models import (
    Channel,
    Notification,
    NotificationPreference,
    OutboxMessage,
    OutboxState,
)


def channels_for(kind: Kind) -> list[Channel]:
    """The deliveries a person may choose for `kind`."""
    if kind.secret_link:
        return [Channel.EMAIL]
    if kind.must_reach:
        # Both of these still send an e-mail: the person may not be using Mentora yet.
        return [Channel.EMAIL, Channel.DIGEST]
    return list(Channel)


def preferences_of(user: Any) -> dict[str, str]:
    """Every kind's delivery for `user`: their choice, or e-mail where they made none."""
    chosen = dict(user.notification_preferences.values_list("kind", "channel"))
    return {
        key: chosen[key] if chosen.get(key) in channels_for(kind) else Channel.EMAIL
        for key, kind in KINDS.items()
    }


def notify(
    *,
    user: Any,
    template: str,
    context: dict[str, Any],
    link: str = "",
    attachments: list[mail.Attachment] | None = None,
    key: str = "",
) -> Notification | None:
    """Write `user` an inbox entry from the e-mail `template`, and queue the e-mail as they
    prefer: at once (with `attachments`), in the next daily digest, or not at all. `link` is
    the path where they act on it. Nothing at all when they turned the kind off.

    `key` names the event the e-mail tells of (say ``"moved:12:3"``); without one, the same
    message to the same person on the same day is one event. Notifying by e-mail of an
    event already queued writes nothing and returns the first inbox entry."""
    kind = kind_for(template)
    channel = preferences_of(user)[kind.key]
    if channel == Channel.OFF:
        return None
    message = mail.render_message(user=user, template=template, context=context)
    if channel == Channel.EMAIL:
        if not key and kind.secret_link:
            # Each request for a secret link is its own: asked twice, it is sent twice.
            key = uuid.uuid4().hex
        key = _key_of(
            kind.key,
            user,
            key or _default_key(parts=[message.subject, message.text, link], files=attachments),
        )
    try:
        # One transaction: the inbox entry and the e-mail are written together, or neither.
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user,
                kind=kind.key,
                subject=message.subject,
                # A secret link (a password token) must not wait in the inbox.
                body="" if kind.secret_link else message.text,
                link="" if kind.secret_link else link,
                channel=channel,
            )
            if channel == Channel.EMAIL:
                row = email_queue(
                    user=user,
                    kind=kind.key,
                    key=key,
                    subject=message.subject,
                    text=message.text,
                    html_template="notifications/email/message.html",
                    html_context={"text": message.text, "link": mail.absolute(link)},
                    attachments=attachments,
                    notification=notification,
                )
                if row.notification_id != notification.pk:
                    raise _AlreadyQueued
    except (IntegrityError, _AlreadyQueued):
        # The event was queued already (by an earlier call, or by another process between
        # `email_queue`'s look and its write): the inbox entry just written is undone.
        queued = OutboxMessage.objects.filter(key=key).first()
        if queued is None:
            raise
        return queued.notification
    return notification


class _AlreadyQueued(Exception):
    """Undoes the inbox entry just written: the e-mail it mirrors was queued already."""


def _key_of(kind: str, user: Any, key: str) -> str:
    # Two kinds, or two people, never share a key, whatever the caller named the event.
    return f"{kind}:{user.pk or user.email}:{key}"[:200]


def _default_key(*, parts: list[str], files: list[mail.Attachment] | None) -> str:
    """The same message to the same person on the same day is one event."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    for name, content, mimetype in files or []:
        digest.update(f"{name}\0{mimetype}\0".encode())
        digest.update(content)
    return f"{timezone.localdate().isoformat()}:{digest.hexdigest()[:40]}"


def digest_send(*, user: Any, now: dt.datetime | None = None) -> int:
    """E-mail `user` one digest of the inbox entries waiting for it; returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        items = list(
            Notification.objects.select_for_update()
            .filter(user=user)
            .awaiting_digest()
            .order_by("created_at", "pk")
        )
        if not items:
            return 0
        context = {
            "user": user,
            "items": [(item, mail.absolute(item.link)) for item in items],
            "count": len(items),
            "site_root": settings.SITE_ROOT,
            "inbox_url": mail.absolute(reverse("notification_inbox")),
        }
        with translation.override(mail.language_of(user)):
            subject = mail.one_line(
                mail.render_text("notifications/email/digest_subject.txt", context)
            )
            text = mail.render_text("notifications/email/digest_body.txt", context)
        email_queue(
            user=user,
            kind="digest",
            # The entries it gathers name the digest: queued twice, it is sent once.
            key=f"digest:{user.pk}:{items[0].pk}-{items[-1].pk}:{len(items)}",
            subject=subject,
            text=text,
            html_template="notifications/email/digest.html",
            html_context=context,
        )
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(emailed_at=now)
    return len(items)


def users_awaiting_digest() -> list[int]:
    return sorted(set(Notification.objects.awaiting_digest().values_list("user_id", flat=True)))


def preferences_update(*, user: Any, actor: Any, channels: Mapping[str, str]) -> int:
    """Set how `user` receives each kind in `channels`; returns how many changed."""
    current = preferences_of(user)
    changed = 0
    with transaction.atomic():
        for key, channel in channels.items():
            kind = KINDS.get(key)
            if kind is None or channel not in channels_for(kind):
                raise ValidationError(_("That delivery cannot be chosen for this kind."))
            if current[key] == channel:
                continue
            preference, _created = NotificationPreference.objects.update_or_create(
                user=user, kind=key, defaults={"channel": channel}
            )
            audit_log(
                actor=actor,
                action="notifications.preference.set",
                obj=preference,
                changes={"kind": key, "channel": {"old": current[key], "new": channel}},
            )
            changed += 1
    return changed


def notifications_mark_read(
    *, user: Any, notification: Notification | None = None, now: dt.datetime | None = None
) -> int:
    """Mark one of `user`'s notifications read, or all of them; returns how many.

    Not audited: whether someone has read their own inbox is theirs, and no change to
    anything they share."""
    unread = Notification.objects.filter(user=user).unread()
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=now or timezone.now())


# The outbox --------------------------------------------------------------------------------

logger = logging.getLogger(__name__)

# Tests that read `mail.outbox` right after a change set this (conftest.py): each e-mail
# is then sent as soon as it is queued, inside the change's transaction, as no worker runs
# there. The outbox's own tests leave it off and deliver as production does.
DELIVER_AT_ONCE = False


def email_queue(
    *,
    user: Any,
    kind: str,
    key: str,
    subject: str,
    text: str,
    html_template: str,
    html_context: dict[str, Any],
    attachments: list[mail.Attachment] | None = None,
    notification: Notification | None = None,
) -> OutboxMessage:
    """Queue one e-mail to `user` (an account, or an unsaved addressee): `text` as the plain
    part, `html_template` as the HTML. The worker sends it once the caller's transaction
    commits. `key` names the event: when it is queued already, that e-mail is returned and
    nothing is written."""
    queued = OutboxMessage.objects.filter(key=key).first()
    if queued is not None:
        return queued
    html = mail.render_html(
        user=user, subject=subject, html_template=html_template, html_context=html_context
    )
    row = OutboxMessage.objects.create(
        key=key,
        message_id=make_msgid(domain=_message_id_domain()),
        user=user if user.pk else None,
        notification=notification,
        to_address=user.email,
        kind=kind,
        subject=subject,
        text=text,
        html=html,
        attachments=[
            {"name": name, "mimetype": mimetype, "content": base64.b64encode(content).decode()}
            for name, content, mimetype in attachments or []
        ],
    )
    if DELIVER_AT_ONCE:
        _deliver([row], claim="")
    else:
        _wake_after_commit()
    return row


def _message_id_domain() -> str:
    return urlsplit(settings.SITE_ROOT).hostname or "mentora.invalid"


def _wake_after_commit() -> None:
    """Have a worker deliver once the transaction commits: one task per transaction,
    however many e-mails it queued."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is _wake for entry in connection.run_on_commit):
        return
    transaction.on_commit(_wake)


def _wake(when: dt.datetime | None = None) -> None:
    from mentora.notifications.tasks import deliver_outbox

    (deliver_outbox.using(run_after=when) if when else deliver_outbox).enqueue()


def outbox_deliver(*, now: dt.datetime | None = None) -> int:
    """Send every e-mail due in the outbox, a batch at a time; returns how many went out.

    Each batch is claimed in a short transaction (`SKIP LOCKED`, so several workers share
    the work) and leased to this worker; rows whose lease ran out, because their worker
    died or hangs, are taken over (those of a worker that stopped beating are given back
    sooner: see `outbox_take_over`). A row is marked sent in its own short transaction
    right after the mail server accepted it. What waits for a retry wakes a worker when
    it is due."""
    sent = 0
    while True:
        claim = uuid.uuid4().hex
        batch = _claim(now=now or timezone.now(), claim=claim)
        if not batch:
            break
        sent += _deliver(batch, claim=claim)
    _wake_for_retries()
    return sent


def _claim(*, now: dt.datetime, claim: str) -> list[OutboxMessage]:
    lease = dt.timedelta(seconds=settings.EMAIL_OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.due(now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")[: settings.EMAIL_OUTBOX_BATCH]
        )
        OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]).update(
            state=OutboxState.SENDING,
            claim=claim,
            claimed_by=current_worker(),
            claimed_until=now + lease,
            attempts=F("attempts") + 1,
        )
    for row in rows:
        row.attempts += 1
        row.claimed_until = now + lease
    return rows


def _deliver(rows: list[OutboxMessage], *, claim: str) -> int:
    """Send `rows` over one connection to the mail server; returns how many it accepted."""
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # the server refuses connections, or is not there
        for row in rows:
            _defer(row, claim=claim, error=error)
        return 0
    sent = 0
    try:
        for index, row in enumerate(rows):
            if claim and _lease_ending(row):
                # Give back what this worker may not finish within its lease, rather than
                # have another take it over while this one still sends.
                _release(rows[index:], claim=claim)
                break
            try:
                _message_of(row, connection).send()
            except Exception as error:
                if _permanent(error):
                    _fail(row, claim=claim, error=error)
                elif isinstance(
                    error, (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException)
                ):
                    _defer(row, claim=claim, error=error)
                else:
                    # The connection broke: the rest would fail the same way, one by one.
                    for rest in rows[index:]:
                        _defer(rest, claim=claim, error=error)
                    break
                continue
            _mark_sent(row)
            sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # noqa: S110 - a broken connection has nothing left to close
            pass
    return sent


def _lease_ending(row: OutboxMessage) -> bool:
    # One more message may take up to the mail server's timeout (and the first of a batch
    # is always tried, so that a short lease still makes progress).
    margin = dt.timedelta(
        seconds=min(settings.EMAIL_TIMEOUT, settings.EMAIL_OUTBOX_LEASE_SECONDS / 2)
    )
    return row.claimed_until is not None and timezone.now() + margin >= row.claimed_until


def _release(rows: list[OutboxMessage], *, claim: str) -> None:
    """Put claimed rows back in the queue, due now, as if never tried."""
    for row in rows:
        _held(row, claim).update(
            state=OutboxState.QUEUED,
            claim="",
            claimed_by="",
            claimed_until=None,
            attempts=F("attempts") - 1,
        )


def _message_of(row: OutboxMessage, connection: Any) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_address],
        connection=connection,
        # Fixed when queued: a copy sent again after a worker died is the same message.
        headers={"Message-ID": row.message_id},
    )
    message.attach_alternative(row.html, "text/html")
    for attachment in row.attachments:
        message.attach(
            attachment["name"], base64.b64decode(attachment["content"]), attachment["mimetype"]
        )
    return message


def _permanent(error: Exception) -> bool:
    """A 5xx answer: the server will never take this message (say, no such mailbox)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _said in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _error_of(error: Exception) -> str:
    # The kind of error and the server's code: never its words, which may echo the message.
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = ",".join(sorted({str(c) for c, _said in error.recipients.values()}))
    return f"{type(error).__name__} {code}".strip() if code else type(error).__name__


def _mark_sent(row: OutboxMessage) -> None:
    now = timezone.now()
    with transaction.atomic():
        # Whoever holds the claim now: the server took the message, so it is sent.
        OutboxMessage.objects.filter(pk=row.pk).exclude(state=OutboxState.SENT).update(
            state=OutboxState.SENT,
            sent_at=now,
            claim="",
            claimed_by="",
            claimed_until=None,
            last_error="",
        )
        if row.notification_id:
            Notification.objects.filter(pk=row.notification_id).update(emailed_at=now)
            if OutboxMessage.notification.is_cached(row):
                # The caller's copy, when it was sent at once (tests).
                row.notification.emailed_at = now  # type: ignore[union-attr]
    EMAILS.labels(outcome="sent").inc()


def _held(row: OutboxMessage, claim: str) -> Any:
    rows = OutboxMessage.objects.filter(pk=row.pk)
    # A row sent at once (tests) was never claimed.
    return rows.filter(state=OutboxState.SENDING, claim=claim) if claim else rows


def _defer(row: OutboxMessage, *, claim: str, error: Exception) -> None:
    wait = min(
        settings.EMAIL_OUTBOX_RETRY_BASE_SECONDS * 2 ** max(row.attempts - 1, 0),
        settings.EMAIL_OUTBOX_RETRY_MAX_SECONDS,
    )
    _held(row, claim).update(
        state=OutboxState.QUEUED,
        claim="",
        claimed_by="",
        claimed_until=None,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=wait),
        last_error=_error_of(error),
    )
    EMAILS.labels(outcome="deferred").inc()
    logger.warning(
        "E-mail %s deferred %s s after attempt %s: %s", row.pk, wait, row.attempts, _error_of(error)
    )
    if DELIVER_AT_ONCE:
        raise error


def _fail(row: OutboxMessage, *, claim: str, error: Exception) -> None:
    _held(row, claim).update(
        state=OutboxState.FAILED,
        claim="",
        claimed_by="",
        claimed_until=None,
        failed_at=timezone.now(),
        last_error=_error_of(error),
    )
    EMAILS.labels(outcome="failed").inc()
    logger.error("E-mail %s refused for good: %s", row.pk, _error_of(error))
    if DELIVER_AT_ONCE:
        raise error


def outbox_take_over(*, alive: set[str], cutoff: dt.datetime) -> int:
    """Give back to the queue, at once, the e-mails claimed before `cutoff` by a worker not
    in `alive` (one that stopped beating: killed, or its machine lost) or by one that beats
    but no longer delivers (its delivery gave up when the database went away), rather
    than wait for their lease to run out, and wake a worker to send them; returns how many.

    Called by every worker's heartbeat. Each keeps its key and Message-ID, so one the
    mail server accepted just before its worker stopped goes again as the same message.
    Rows claimed outside a worker name none, and wait for their lease."""
    from mentora.notifications.tasks import deliver_outbox

    lease = dt.timedelta(seconds=settings.EMAIL_OUTBOX_LEASE_SECONDS)
    done_with = workers_done_with(
        deliver_outbox.module_path, cutoff=cutoff, stale_after=worker_stale_after()
    )
    with transaction.atomic():
        given_back = (
            OutboxMessage.objects.filter(state=OutboxState.SENDING)
            # Claimed before the cutoff: a worker that has not beaten yet is not dead.
            .filter(claimed_until__lt=cutoff + lease)
            .exclude(claimed_by="")
            .filter(~Q(claimed_by__in=alive) | Q(claimed_by__in=done_with))
            .update(state=OutboxState.QUEUED, claim="", claimed_by="", claimed_until=None)
        )
        if given_back:
            _wake_after_commit()
    if given_back:
        logger.warning("Gave back %s e-mails claimed by workers that stopped", given_back)
    return given_back


def _wake_for_retries() -> None:
    """A task for when the next deferred row is due, unless one is already waiting."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from mentora.notifications.tasks import deliver_outbox

    due = OutboxMessage.objects.filter(state=OutboxState.QUEUED).aggregate(
        first=Min("next_attempt_at")
    )["first"]
    if due is None:
        return
    # Waiting, due now or later.
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deliver_outbox.module_path
    )
    if not waiting.exists():
        _wake(max(due, timezone.now()))


def outbox_sweep(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Wake a worker for e-mails due (in case their task was lost), and clear the text of
    e-mails sent or failed more than `EMAIL_OUTBOX_KEEP_DAYS` ago. Returns (due, cleared)."""
    now = now or timezone.now()
    due = OutboxMessage.objects.due(now).count()
    if due:
        _wake()
    before = now - dt.timedelta(days=settings.EMAIL_OUTBOX_KEEP_DAYS)
    cleared = (
        OutboxMessage.objects.filter(cleared_at__isnull=True)
        .filter(Q(sent_at__lt=before) | Q(failed_at__lt=before))
        .update(text="", html="", attachments=[], cleared_at=now)
    )
    return due, cleared
