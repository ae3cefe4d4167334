"""Requests of data subjects: a copy of everything Mentora holds about a person (access)
and the removal of what identifies them (erasure). A request holds ids, states and
counts only, never the personal data itself; an access request's files live in storage
until they expire."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How long the files of an access request may be downloaded.
ACCESS_FILES_DAYS = 14


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access: a copy of their data")
    ERASURE = "erasure", _("Erasure")


class RequestStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


RUNNING_STATUSES = (RequestStatus.QUEUED, RequestStatus.RUNNING)


class SubjectRequest(models.Model):
    """One access or erasure request about one person of an organisation."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="subject_requests"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="subject_requests"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whether the person asked themselves (else their organisation's admin, for them).
    by_subject = models.BooleanField(default=False)
    sections_done = models.PositiveSmallIntegerField(default=0)
    sections_total = models.PositiveSmallIntegerField(default=0)
    # What was removed or counted, as numbers per kind of row: never the data itself.
    counts = models.JSONField(default=dict, blank=True)
    # Why it failed, in words meant for the admin; never personal data.
    error = models.CharField(max_length=300, blank=True)
    # The copy for the person (with their private texts) and the copy for their
    # organisation's admin (without them); blank until ready and once expired.
    subject_json = models.FileField(upload_to="subject_requests/", blank=True)
    subject_pdf = models.FileField(upload_to="subject_requests/", blank=True)
    staff_json = models.FileField(upload_to="subject_requests/", blank=True)
    staff_pdf = models.FileField(upload_to="subject_requests/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("access or erasure request")
        verbose_name_plural = _("access and erasure requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        # Ids only: the person's name must not outlive an erasure in an audit entry.
        return f"{self.kind} request #{self.pk} (person {self.person_id})"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def tone(self) -> str:
        """The colour of its status badge."""
        return {
            RequestStatus.READY: "ok",
            RequestStatus.DONE: "ok",
            RequestStatus.FAILED: "bad",
            RequestStatus.EXPIRED: "empty",
        }.get(RequestStatus(self.status), "info")

    @property
    def percent(self) -> int:
        if not self.sections_total:
            return 0
        return round(100 * self.sections_done / self.sections_total)

    def expiry_from(self, now: dt.datetime) -> dt.datetime:
        return now + dt.timedelta(days=ACCESS_FILES_DAYS)

    @property
    def files(self) -> list[models.fields.files.FieldFile]:
        return [self.subject_json, self.subject_pdf, self.staff_json, self.staff_pdf]
