"""Events of a programme: preparation workshops, master classes, peer-group and networking
meetings; the places taken at them, their waiting lists, and who attended."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentora.programmes.models import Participant, Programme


class RequiredFor(models.TextChoices):
    """Who must attend an event before they can be matched."""

    BOTH = "both", _("Mentors and mentees")
    MENTOR = "mentor", _("Mentors")
    MENTEE = "mentee", _("Mentees")
    NONE = "none", _("Optional for everyone")


class EventKind(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    MASTER_CLASS = "master_class", _("Master class")
    PEER_GROUP = "peer_group", _("Peer-group meeting")
    NETWORKING = "networking", _("Networking meeting")


class Event(models.Model):
    """An event of the programme: preparation workshops (required ones must be attended
    before matching), master classes, peer-group and networking meetings."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.WORKSHOP
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    # Virtual workshops work best short: two to three hours.
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=180)
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    required_for = models.CharField(
        _("required for"), max_length=10, choices=RequiredFor.choices, default=RequiredFor.BOTH
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_required_for(self, role: str) -> bool:
        return self.required_for in (RequiredFor.BOTH, role)

    @property
    def is_past(self) -> bool:
        return self.starts_at < timezone.now()


class Attendance(models.Model):
    """Whether a participant attended an event, as the programme manager recorded it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="attendance"
    )
    attended = models.BooleanField(_("attended"), default=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "participant"], name="attendance_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.event}"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class EventRegistrationQuerySet(models.QuerySet["EventRegistration"]):
    def holding_a_place(self) -> EventRegistrationQuerySet:
        return self.filter(status=RegistrationStatus.REGISTERED)

    def waiting(self) -> EventRegistrationQuerySet:
        return self.filter(status=RegistrationStatus.WAITLISTED)


class EventRegistration(models.Model):
    """A participant's place at an event, or on its waiting list."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    registered_at = models.DateTimeField(default=timezone.now)

    objects = EventRegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "participant"], name="registration_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.event} ({self.status})"
