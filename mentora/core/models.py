from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def for_object(self, obj: models.Model) -> AuditEntryQuerySet:
        return self.filter(
            object_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class AuditEntry(models.Model):
    """One write done through a service: who, what, on which object, when, which fields."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too, so the entry still names the actor after the user is deleted.
    actor_email = models.CharField(_("who (e-mail)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Dates, times, decimals and ids as JSON; never a model instance or private text.
    changes = models.JSONField(
        _("changed fields"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email or '-'} {self.action}"

    @property
    def changed_fields(self) -> list[str]:
        return sorted(self.changes)

    def change_rows(self) -> list[tuple[str, Any, Any]]:
        rows = []
        for field, change in sorted(self.changes.items()):
            if isinstance(change, dict) and ("old" in change or "new" in change):
                rows.append((field, change.get("old"), change.get("new")))
            else:
                rows.append((field, None, change))
        return rows


class WorkerHeartbeat(models.Model):
    """A task worker that is alive writes here every few seconds; /healthz reads it."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The id of the task it runs now, "" while idle: a task it no longer runs is not kept
    # alive by its beat. None from a worker of a release that did not say.
    task = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class FormSubmission(models.Model):
    """The one-time token of a form that was sent and acted on. A form sent twice (a
    double click, a resent page, two tabs) carries the same token, and the unique token
    lets only the first act; see `mentora.core.submissions`."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return str(self.token)
