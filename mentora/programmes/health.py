"""The health check: why programmes fail, and what must be answered before launch.

Each item is computed from the programme's own data and links to where it is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mentora.programmes.models import (
    ParticipantRole,
    ProfileField,
    Programme,
    QuestionKind,
)

GREEN, AMBER, RED = "green", "amber", "red"
LIGHT_LABELS: dict[str, Any] = {
    GREEN: _("In place"),
    AMBER: _("Needs attention"),
    RED: _("Missing"),
}


@dataclass(frozen=True)
class HealthItem:
    code: str
    title: Any
    light: str
    explanation: Any
    fix_url: str

    @property
    def light_label(self) -> Any:
        return LIGHT_LABELS[self.light]


def _edit(programme: Programme, anchor: str = "") -> str:
    return reverse("programme_edit", args=[programme.pk]) + (f"#{anchor}" if anchor else "")


def failure_reasons(programme: Programme) -> list[HealthItem]:
    """The six reasons programmes fail, each as a traffic light."""
    pk = programme.pk
    has_purpose = bool(programme.purpose.strip())
    has_goals = programme.goals.exists()
    weights = programme.matching_policy.get("weights", {})
    positive_weights = sum(1 for value in weights.values() if (value or 0) > 0)
    feeds_matching = programme.questions.exclude(maps_to="").exists()
    return [
        HealthItem(
            "purpose",
            _("A clearly defined need"),
            GREEN if has_purpose and has_goals else AMBER if has_purpose else RED,
            _("A purpose tied to the organisation's strategy, with measurable goals."),
            _edit(programme, "id_purpose"),
        ),
        HealthItem(
            "sponsor",
            _("Visible support from top management"),
            GREEN if programme.sponsors.exists() else RED,
            _("At least one sponsor backs the programme."),
            _edit(programme, "id_sponsors"),
        ),
        HealthItem(
            "manager",
            _("Someone taking the lead"),
            GREEN if programme.managers.exists() else RED,
            _("A named programme manager runs the programme."),
            _edit(programme, "id_managers"),
        ),
        HealthItem(
            "matching",
            _("Clear matching criteria that participants influence"),
            GREEN if positive_weights and feeds_matching else AMBER if positive_weights else RED,
            _("Weighted criteria, and questionnaire answers that feed the matching."),
            reverse("programme_questionnaire", args=[pk]),
        ),
        HealthItem(
            "training",
            _("Training and preparation"),
            GREEN if programme.training_planned else RED,
            _("Preparation workshops or a training touchpoint are planned."),
            reverse("programme_events", args=[pk]),
        ),
        HealthItem(
            "evaluation",
            _("Evaluation of quality and outcome"),
            GREEN if programme.evaluation_planned else RED,
            _("An evaluation touchpoint is planned."),
            reverse("programme_detail", args=[pk]) + "#touchpoints",
        ),
    ]


def launch_questions(programme: Programme) -> list[HealthItem]:
    """The five questions to answer before launch."""
    pk = programme.pk
    questions = programme.questions.all()
    roles_asked = {q.role for q in questions}
    asks_themes = any(
        q.maps_to == ProfileField.THEMES or q.kind == QuestionKind.RANKED_THEMES for q in questions
    )
    asks_goals = any(q.maps_to == ProfileField.GOALS for q in questions)
    asks_availability = any(q.maps_to == ProfileField.AVAILABILITY for q in questions)
    # A rolling programme has no cohort dates: each pair's agreement sets its own end.
    has_dates = programme.rolling or (
        programme.start_date is not None and programme.end_date is not None
    )
    asks_preferences = any(
        q.maps_to == ProfileField.PREFERENCES or q.kind == QuestionKind.PREFERRED_MENTORS
        for q in questions
    )
    questionnaire = reverse("programme_questionnaire", args=[pk])
    return [
        HealthItem(
            "time",
            _("Time: how long, and how much time participants give"),
            (AMBER if programme.duration_warning() else GREEN)
            if has_dates and asks_availability
            else AMBER
            if has_dates
            else RED,
            _("Rolling intake, and a question about availability.")
            if programme.rolling
            else _("Start and end dates (6 to 18 months) and a question about availability."),
            _edit(programme, "id_start_date"),
        ),
        HealthItem(
            "competences",
            _("Competences: what mentees want to learn"),
            GREEN if asks_themes else RED,
            _("The questionnaire asks for learning themes."),
            questionnaire,
        ),
        HealthItem(
            "expectations",
            _("Expectations: what participants hope for"),
            GREEN if asks_goals and programme.goals.exists() else AMBER if asks_goals else RED,
            _("Programme goals, and a question about each participant's goals."),
            questionnaire,
        ),
        HealthItem(
            "motivation",
            _("Motivation and readiness"),
            GREEN
            if {ParticipantRole.MENTOR, ParticipantRole.MENTEE} <= roles_asked
            else AMBER
            if roles_asked
            else RED,
            _("A questionnaire for mentors and one for mentees; mentors are screened."),
            questionnaire,
        ),
        HealthItem(
            "match",
            _("Matching: how pairs are formed"),
            GREEN if asks_preferences else AMBER,
            _("Participants can state wishes for their match."),
            _edit(programme, "policy"),
        ),
    ]


def health_items(programme: Programme) -> dict[str, HealthItem]:
    """Every check of the health check by its code, for pages that build on its facts
    (the standards evidence pack) rather than deriving them again."""
    return {item.code: item for item in [*failure_reasons(programme), *launch_questions(programme)]}
