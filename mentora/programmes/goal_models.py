"""A programme's measurable goals: what each measures, its target, and the primary outcome.

Kept apart from ``models.py`` (which imports it at the end) because goals are read by the
outcome report as much as by the design pages. The primary outcome is named at design
time, before any data: the report treats its test as confirmatory and every other test as
exploratory.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class GoalMeasure(models.TextChoices):
    NONE = "none", _("Not measured in Mentora")
    RETENTION = "retention", _("Participants still employed after a number of months")
    SCALE_MEAN = "scale_mean", _("Mean of a survey scale at the end")
    SCALE_FAVOURABLE = "scale_favourable", _("Share favourable on a survey scale at the end")
    NPS = "nps", _("Net promoter score at the end")
    PAIRS_MET = "pairs_met", _("Share of pairs that met at least a number of times")
    PAIR_GOALS = "pair_goals", _("Share of pair goals reached")
    RESPONSE_RATE = "response_rate", _("Response rate of the end survey")


# Measures read from a survey scale, which therefore need the scale's construct.
SCALE_MEASURES = frozenset({GoalMeasure.SCALE_MEAN, GoalMeasure.SCALE_FAVOURABLE})
PERCENT_MEASURES = frozenset(
    {
        GoalMeasure.RETENTION,
        GoalMeasure.SCALE_FAVOURABLE,
        GoalMeasure.PAIRS_MET,
        GoalMeasure.PAIR_GOALS,
        GoalMeasure.RESPONSE_RATE,
    }
)
# The range a target may take in each measure's unit.
TARGET_RANGE: dict[str, tuple[Decimal, Decimal]] = {
    **dict.fromkeys(PERCENT_MEASURES, (Decimal(0), Decimal(100))),
    GoalMeasure.SCALE_MEAN: (Decimal(1), Decimal(5)),
    GoalMeasure.NPS: (Decimal(-100), Decimal(100)),
}


class GoalQuerySet(models.QuerySet["ProgrammeGoal"]):
    def measured(self) -> GoalQuerySet:
        return self.exclude(measure=GoalMeasure.NONE)


class ProgrammeGoal(models.Model):
    """One measurable goal of a programme, with the figure that decides whether it was met."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="goals"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("goal"), max_length=300)
    measure = models.CharField(
        _("measured by"), max_length=20, choices=GoalMeasure.choices, default=GoalMeasure.NONE
    )
    target = models.DecimalField(
        _("target"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Per cent for shares and retention, 1-5 for a scale mean, -100 to 100 for NPS."
        ),
    )
    construct = models.SlugField(
        _("survey scale"),
        max_length=50,
        blank=True,
        help_text=_("The scale's code in the survey instrument, such as career_confidence."),
    )
    horizon_months = models.PositiveSmallIntegerField(
        _("after how many months"),
        null=True,
        blank=True,
        help_text=_("For retention: months after the programme's start."),
    )
    min_meetings = models.PositiveSmallIntegerField(
        _("at least this many meetings"),
        null=True,
        blank=True,
        help_text=_("For pairs that met: 1 counts every pair with a meeting."),
    )
    primary = models.BooleanField(
        _("primary outcome"),
        default=False,
        help_text=_("The one outcome the programme is judged on, chosen before any data."),
    )

    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme goal")
        verbose_name_plural = _("programme goals")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(primary=True),
                name="programme_goal_one_primary",
            ),
            models.CheckConstraint(
                condition=models.Q(measure="none") | models.Q(target__isnull=False),
                name="programme_goal_measured_has_target",
            ),
            models.CheckConstraint(
                condition=models.Q(primary=False) | ~models.Q(measure="none"),
                name="programme_goal_primary_is_measured",
            ),
            models.CheckConstraint(
                condition=~models.Q(measure="retention") | models.Q(horizon_months__gte=1),
                name="programme_goal_retention_has_horizon",
            ),
            models.CheckConstraint(
                condition=~models.Q(measure="pairs_met") | models.Q(min_meetings__gte=1),
                name="programme_goal_pairs_met_has_count",
            ),
            models.CheckConstraint(
                condition=~models.Q(measure__in=["scale_mean", "scale_favourable"])
                | ~models.Q(construct=""),
                name="programme_goal_scale_has_construct",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_measured(self) -> bool:
        return self.measure != GoalMeasure.NONE

    @property
    def in_percent(self) -> bool:
        return self.measure in PERCENT_MEASURES

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.is_measured and self.target is None:
            errors["target"] = _("A measured goal needs a target.")
        bounds = TARGET_RANGE.get(self.measure)
        if bounds and self.target is not None and not bounds[0] <= self.target <= bounds[1]:
            errors["target"] = _("The target must lie between %(low)s and %(high)s.") % {
                "low": bounds[0],
                "high": bounds[1],
            }
        if self.measure in SCALE_MEASURES and not self.construct:
            errors["construct"] = _("Name the survey scale that measures this goal.")
        if self.measure == GoalMeasure.RETENTION and not self.horizon_months:
            errors["horizon_months"] = _("Say after how many months retention is measured.")
        if self.measure == GoalMeasure.PAIRS_MET and not self.min_meetings:
            errors["min_meetings"] = _("Say how many meetings a pair must have had.")
        if self.primary and not self.is_measured:
            errors["primary"] = _("Only a goal measured in Mentora can be the primary outcome.")
        if errors:
            raise ValidationError(errors)
