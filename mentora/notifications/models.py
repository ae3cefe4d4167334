from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail and inbox")
    IN_APP = "in_app", _("Inbox only")
    DIGEST = "digest", _("Inbox and a daily digest e-mail")
    OFF = "off", _("Off")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def awaiting_digest(self) -> NotificationQuerySet:
        return self.filter(channel=Channel.DIGEST, emailed_at__isnull=True)


class Notification(models.Model):
    """One message to one user, in their inbox: the mirror of an e-mail Mentora sends.

    Subject and body are kept as they were written, in the recipient's language; they hold
    only what that recipient's e-mail holds."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=64)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    # A path inside Mentora where the person acts on it; never an outside address.
    link = models.CharField(_("link"), max_length=500, blank=True)
    # How it was delivered, as the preference stood when it was written.
    channel = models.CharField(_("delivery"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # When it went out by e-mail, on its own or in a digest.
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_inbox")]
        constraints = [
            models.CheckConstraint(
                condition=Q(link="") | (Q(link__startswith="/") & ~Q(link__startswith="//")),
                name="notification_link_is_a_local_path",
            ),
            models.CheckConstraint(
                condition=~Q(channel=Channel.OFF), name="notification_never_written_when_off"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class NotificationPreference(models.Model):
    """How one user wants one kind of notification; without a row, it comes by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=64)
    channel = models.CharField(_("delivery"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.channel}"


class OutboxState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxQuerySet(models.QuerySet["OutboxMessage"]):
    def due(self, now: dt.datetime) -> OutboxQuerySet:
        """Queued and due, or claimed by a worker whose lease ran out (it died, or hangs)."""
        return self.filter(
            Q(state=OutboxState.QUEUED, next_attempt_at__lte=now)
            | Q(state=OutboxState.SENDING, claimed_until__lt=now)
        )

    def waiting(self) -> OutboxQuerySet:
        return self.filter(state__in=[OutboxState.QUEUED, OutboxState.SENDING])


class OutboxMessage(models.Model):
    """One e-mail to send, written in the transaction of the change that caused it.

    The worker sends it after that transaction commits, so a change rolled back sends
    nothing; the unique `key` names the event it tells of, so the same event never queues
    two e-mails. The message is kept as rendered, with its Message-ID fixed here: should a
    worker die between the mail server's acceptance and marking it sent, the copy another
    worker sends carries the same Message-ID, which mail clients show once. The rendered
    parts are cleared some days after sending (`outbox_sweep`)."""

    key = models.CharField(max_length=200, unique=True)
    message_id = models.CharField(max_length=255)
    # The account it goes to; none for a guest invited by address only.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_address = models.EmailField(_("recipient"))
    kind = models.CharField(_("kind"), max_length=64)
    subject = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # [{"name", "mimetype", "content" (base64)}]: invitations' calendar files, small.
    attachments = models.JSONField(default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=OutboxState.choices, default=OutboxState.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # While a worker holds it: until when, and which claim (a worker's claim on it ends
    # when another takes it over), made by which worker (none outside one): once that
    # worker stops beating, its claim ends at once.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    # The kind of error and the server's code only: never the server's words, which may
    # quote the message.
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    # When the rendered parts were cleared after sending.
    cleared_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
