from __future__ import annotations

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
