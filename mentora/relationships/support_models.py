"""How the programme team keeps pairs meeting: its reminder intervals and escalation ladder,
the pauses members take, their "Did you meet?" answers and each step of the ladder."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentora.programmes.services.reminders import (
    LINE_MANAGER_REMINDER_AFTER_DAYS,
    REMINDER_AFTER_DAYS,
)

# The defaults of every interval a programme can set (SupportSettings): the escalation
# ladder of a quiet pair, and the reminders of the steps before it.
NUDGE_AFTER_DAYS = 30
MENTOR_NOTE_AFTER_DAYS = 14
MANAGER_ALERT_AFTER_DAYS = 14
APPLICATION_REMINDER_DAYS = REMINDER_AFTER_DAYS
APPROVAL_REMINDER_DAYS = LINE_MANAGER_REMINDER_AFTER_DAYS
INTRODUCTION_REMINDER_DAYS = 2
SURVEY_REMINDER_DAYS = 7


class SupportSettings(models.Model):
    """How a programme reminds and nudges: the escalation ladder of a pair that does not
    meet, and how soon each pending step of the programme is worth a reminder."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="support_settings"
    )
    # Days without a meeting before both get a friendly nudge; 0 turns the ladder off.
    nudge_after_days = models.PositiveSmallIntegerField(
        _("nudge after days without a meeting"), default=NUDGE_AFTER_DAYS
    )
    mentor_note_after_days = models.PositiveSmallIntegerField(
        _("note to the mentor after days since the nudge"), default=MENTOR_NOTE_AFTER_DAYS
    )
    manager_alert_after_days = models.PositiveSmallIntegerField(
        _("alert to the programme team after days since the note"),
        default=MANAGER_ALERT_AFTER_DAYS,
    )
    application_reminder_days = models.PositiveSmallIntegerField(
        _("remind an invited person to apply after days"), default=APPLICATION_REMINDER_DAYS
    )
    approval_reminder_days = models.PositiveSmallIntegerField(
        _("remind a line manager of an approval after days"), default=APPROVAL_REMINDER_DAYS
    )
    introduction_reminder_days = models.PositiveSmallIntegerField(
        _("remind of an unanswered introduction days before it expires"),
        default=INTRODUCTION_REMINDER_DAYS,
    )
    survey_reminder_days = models.PositiveSmallIntegerField(
        _("days between survey reminders"), default=SURVEY_REMINDER_DAYS
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mentor_note_after_days__gte=1)
                & models.Q(manager_alert_after_days__gte=1)
                & models.Q(application_reminder_days__gte=1)
                & models.Q(approval_reminder_days__gte=1)
                & models.Q(introduction_reminder_days__gte=1)
                & models.Q(survey_reminder_days__gte=1),
                name="support_settings_intervals_positive",
            )
        ]

    def __str__(self) -> str:
        return str(self.programme)

    @classmethod
    def of(cls, programme: Any) -> SupportSettings:
        """The programme's settings, or the defaults (unsaved) where it set none."""
        found = cls.objects.filter(programme_id=programme.pk).first()
        return found or cls(programme_id=programme.pk)


class PauseReason(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    PARENTAL_LEAVE = "parental_leave", _("Parental leave")
    BUSY_SEASON = "busy_season", _("Busy season")
    ILLNESS = "illness", _("Illness")
    OTHER = "other", _("Something else")


class PauseQuerySet(models.QuerySet["Pause"]):
    def current(self, today: dt.date | None = None) -> PauseQuerySet:
        """Pauses in force on `today`: begun, not yet over, not ended early."""
        today = today or timezone.localdate()
        return self.filter(starts_on__lte=today, until__gte=today, ended_at__isnull=True)


class Pause(models.Model):
    """A pair on pause until a return date, set by one of its members. A fact the partner
    and the programme team see; no text is asked for."""

    pair = models.ForeignKey("relationships.Pair", on_delete=models.CASCADE, related_name="pauses")
    participant = models.ForeignKey(
        "programmes.Participant", on_delete=models.CASCADE, related_name="pauses"
    )
    starts_on = models.DateField(_("from"))
    until = models.DateField(_("back on"))
    reason = models.CharField(_("reason"), max_length=20, choices=PauseReason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the pair resumes before the return date.
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = PauseQuerySet.as_manager()

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__gte=models.F("starts_on")), name="pause_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pair} pause {self.starts_on}"

    @property
    def last_day(self) -> dt.date:
        """The last day paused: the return date, or the day it was ended early."""
        if self.ended_at is not None:
            return min(self.until, timezone.localdate(self.ended_at))
        return self.until


class CheckInAnswer(models.TextChoices):
    MET = "met", _("We met")
    MOVED = "moved", _("We moved it")
    NOT_HELD = "not_held", _("It did not happen")


class CheckIn(models.Model):
    """A member's one-click answer to "Did you meet?" the day after a planned meeting. A
    fact for the pair's health: no text is asked for."""

    meeting = models.ForeignKey(
        "relationships.Meeting", on_delete=models.CASCADE, related_name="checkins"
    )
    participant = models.ForeignKey(
        "programmes.Participant", on_delete=models.CASCADE, related_name="checkins"
    )
    # The meeting's sequence when asked: a moved meeting is asked about again.
    sequence = models.PositiveIntegerField()
    answer = models.CharField(_("answer"), max_length=10, choices=CheckInAnswer.choices)
    moved_to = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "participant", "sequence"], name="checkin_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} {self.answer}"


class EscalationStep(models.TextChoices):
    NUDGE = "nudge", _("Nudge to the pair")
    MENTOR_NOTE = "mentor_note", _("Note to the mentor")
    MANAGER_ALERT = "manager_alert", _("Alert to the programme team")


LADDER = [EscalationStep.NUDGE, EscalationStep.MENTOR_NOTE, EscalationStep.MANAGER_ALERT]


class Escalation(models.Model):
    """One step of the escalation ladder taken for a pair in one quiet spell (the time since
    `quiet_since`, its last meeting, start or return from a pause): each step once."""

    pair = models.ForeignKey(
        "relationships.Pair", on_delete=models.CASCADE, related_name="escalations"
    )
    step = models.CharField(_("step"), max_length=15, choices=EscalationStep.choices)
    quiet_since = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "step", "quiet_since"], name="escalation_once_per_quiet_spell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pair} {self.step}"
