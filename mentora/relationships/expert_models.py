"""The expert network: connections between learners and experts, their activity, and
flash mentoring (the times experts offer and the conversations booked in them)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExpertConnection(models.Model):
    """A learner put in touch with an expert on one theme, in an expert-network programme."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="expert_connections"
    )
    learner = models.ForeignKey(
        "programmes.Participant",
        on_delete=models.CASCADE,
        related_name="expert_connections_as_learner",
    )
    expert = models.ForeignKey(
        "programmes.Participant",
        on_delete=models.CASCADE,
        related_name="expert_connections_as_expert",
    )
    theme = models.CharField(_("theme"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the expert was last asked how it is going, so that nobody is asked every day.
    quiet_check_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("expert connection")
        verbose_name_plural = _("expert connections")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Closing a connection lets the two be connected on the theme again later.
            models.UniqueConstraint(
                fields=["learner", "expert", "theme"],
                condition=models.Q(closed_at__isnull=True),
                name="expert_connection_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner} / {self.expert}: {self.theme}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def member_user_ids(self) -> set[int]:
        return {uid for uid in (self.learner.user_id, self.expert.user_id) if uid}


class ExpertActivityKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    SESSION = "session", _("Session")
    RESOURCE = "resource", _("Shared a resource")
    OTHER = "other", _("Other")


class ExpertActivity(models.Model):
    """Something that happened in an expert connection. Activity, not conversation: the
    learner, the expert and the programme manager all read it."""

    connection = models.ForeignKey(
        ExpertConnection, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ExpertActivityKind.choices)
    happened_on = models.DateField(_("date"))
    note = models.CharField(_("short note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("expert activity")
        verbose_name_plural = _("expert activities")
        ordering = ["-happened_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.connection} {self.happened_on}"


class FlashSlot(models.Model):
    """A time an expert offers for one flash conversation: a learner books it, they talk
    once, and the learner says whether it was useful."""

    expert = models.ForeignKey(
        "programmes.Participant", on_delete=models.CASCADE, related_name="flash_slots"
    )
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=30)
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("online link"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("flash conversation slot")
        verbose_name_plural = _("flash conversation slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            # A slot says where the two meet: a place, an online link, or both.
            models.CheckConstraint(
                condition=~models.Q(place="") | ~models.Q(link=""),
                name="flash_slot_has_place_or_link",
            )
        ]

    def __str__(self) -> str:
        return f"{self.expert} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        return self.cancelled_at is None


class FlashBooking(models.Model):
    """A learner's booking of a slot: one conversation. Its calendar invitation carries
    the booking's UID and sequence, so a move or cancellation updates the same entry."""

    slot = models.ForeignKey(FlashSlot, on_delete=models.CASCADE, related_name="bookings")
    learner = models.ForeignKey(
        "programmes.Participant", on_delete=models.CASCADE, related_name="flash_bookings"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Calendar clients replace an invitation with a higher sequence number.
    sequence = models.PositiveIntegerField(default=0)
    booked_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    followup_sent_at = models.DateTimeField(null=True, blank=True)
    # The learner's answer to "Was it useful?" (1-5). Staff see only counts, under
    # disclosure control; the expert never sees it.
    usefulness = models.PositiveSmallIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("flash conversation")
        verbose_name_plural = _("flash conversations")
        ordering = ["slot__starts_at", "pk"]
        constraints = [
            # One booking per slot: two learners who book at once cannot both get it.
            models.UniqueConstraint(
                fields=["slot"],
                condition=models.Q(cancelled_at__isnull=True),
                name="flash_slot_booked_once",
            ),
            models.CheckConstraint(
                condition=models.Q(usefulness__isnull=True)
                | models.Q(usefulness__gte=1, usefulness__lte=5),
                name="flash_usefulness_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} @ {self.slot}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None and self.slot.cancelled_at is None

    def member_user_ids(self) -> set[int]:
        return {uid for uid in (self.learner.user_id, self.slot.expert.user_id) if uid}
