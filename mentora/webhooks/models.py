"""An organisation's webhooks and the log of every delivery to them."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    PARTICIPANT_STATUS_CHANGED = "participant.status_changed", _("A participant's status changed")
    ROUND_PUBLISHED = "round.published", _("A matching round was published")
    PAIR_STARTED = "pair.started", _("A pair started")
    PAIR_ENDED = "pair.ended", _("A pair ended")
    SURVEY_CLOSED = "survey.closed", _("A survey closed")
    PERSON_LEFT = "person.left", _("A person left the organisation")
    TEST = "webhook.test", _("A test sent by hand")


# What a webhook may ask for; the test event goes only where it is sent by hand.
SUBSCRIBABLE = [event for event in WebhookEvent.values if event != WebhookEvent.TEST]


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    """An address of an organisation's own system that is told, signed, when events happen."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    url = models.URLField(_("address"), max_length=500)
    # Shown to the organisation's administrators, who copy it into the receiving system.
    secret = models.CharField(_("signing secret"), max_length=64, default=new_secret)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["organisation", "pk"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        labels = dict(WebhookEvent.choices)
        return [str(labels.get(event, event)) for event in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event sent (or being sent) to one webhook, with what the receiver answered last."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    # Ids and statuses only, never private text: see `mentora.webhooks.emit`.
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    # Truncated, so a receiver answering with a large page cannot fill the database.
    response_body = models.TextField(_("response"), blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"
