"""A programme's planned touchpoints and its questionnaire, and the matching profile built
from a participant's answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log, snapshot
from mentora.core.forms import parse_id, parse_whole_number
from mentora.programmes.models import (
    Participant,
    ParticipantRole,
    ProfileField,
    Programme,
    Question,
    QuestionKind,
    Touchpoint,
)


@transaction.atomic
def touchpoint_add(
    *, programme: Programme, kind: str, date: dt.date, actor: Any, title: str = ""
) -> Touchpoint:
    """Plan a kick-off, training, midway follow-up, evaluation or closing."""
    touchpoint = Touchpoint.objects.create(programme=programme, kind=kind, date=date, title=title)
    audit_log(
        actor=actor,
        action="programmes.touchpoint.add",
        obj=touchpoint,
        programme=programme,
        changes=snapshot(touchpoint, ("kind", "date", "title")),
    )
    return touchpoint


@transaction.atomic
def touchpoint_delete(*, touchpoint: Touchpoint, actor: Any) -> None:
    """Remove a planned touchpoint."""
    audit_log(
        actor=actor,
        action="programmes.touchpoint.delete",
        obj=touchpoint,
        programme=touchpoint.programme,
        changes=snapshot(touchpoint, ("kind", "date", "title")),
    )
    touchpoint.delete()


CHOICE_KINDS = {
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.MULTIPLE_CHOICE,
    QuestionKind.RANKED_THEMES,
}


@transaction.atomic
def question_add(
    *,
    programme: Programme,
    role: str,
    text: str,
    kind: str,
    actor: Any,
    choices: list[str] | None = None,
    maps_to: str = "",
    required: bool = False,
) -> Question:
    """Add a question to the questionnaire for one role."""
    choices = [c.strip() for c in (choices or []) if c.strip()]
    if kind in CHOICE_KINDS and len(choices) < 2:
        raise ValidationError(_("A choice question needs at least two choices."), code="choices")
    if kind not in CHOICE_KINDS:
        choices = []
    last = programme.questions.filter(role=role).order_by("-position").first()
    question = Question.objects.create(
        programme=programme,
        role=role,
        text=text,
        kind=kind,
        choices=choices,
        maps_to=maps_to,
        required=required,
        position=(last.position + 1) if last else 1,
    )
    audit_log(
        actor=actor,
        action="programmes.question.add",
        obj=question,
        programme=programme,
        changes=snapshot(question, ("role", "text", "kind", "choices", "maps_to", "required")),
    )
    return question


@transaction.atomic
def question_delete(*, question: Question, actor: Any) -> None:
    """Remove a question; answers already given stay in the participants' records."""
    audit_log(
        actor=actor,
        action="programmes.question.delete",
        obj=question,
        programme=question.programme,
        changes=snapshot(question, ("role", "text", "kind")),
    )
    question.delete()


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v).strip()]
    return [part.strip() for part in str(value).replace("\n", ",").split(",") if part.strip()]


def profile_build(*, participant: Participant, questions: Iterable[Question]) -> dict[str, Any]:
    """The matching profile the engine reads, from the participant's answers.

    Preferred mentors are stored as people's ids, the identifiers the engine matches on.
    """
    profile: dict[str, Any] = {
        "themes": [],
        "goals": "",
        "preferences": [],
        "exclusions": [],
        "availability": "",
        "meeting_mode": "",
        "capacity": participant.programme.max_mentees_per_mentor
        if participant.role == ParticipantRole.MENTOR
        else None,
    }
    for question in questions:
        answer = participant.answers.get(str(question.pk))
        if answer in (None, "", []) or not question.maps_to:
            continue
        if question.kind == QuestionKind.PREFERRED_MENTORS:
            people = Participant.objects.filter(
                pk__in=[pk for pk in map(parse_id, _as_list(answer)) if pk is not None],
                programme=participant.programme,
            ).values_list("person_id", flat=True)
            values = [str(pk) for pk in people]
        else:
            values = _as_list(answer)
        target = question.maps_to
        if target in (ProfileField.THEMES, ProfileField.PREFERENCES, ProfileField.EXCLUSIONS):
            key = "exclusions" if target == ProfileField.EXCLUSIONS else target
            profile[key] = [*profile[key], *[v for v in values if v not in profile[key]]]
        elif target == ProfileField.GOALS:
            profile["goals"] = "\n".join(filter(None, [profile["goals"], str(answer)]))
        elif target == ProfileField.CAPACITY:
            numbers = [parse_whole_number(v, minimum=0, maximum=100) for v in values]
            if numbers and numbers[0] is not None:
                profile["capacity"] = max(1, numbers[0])
        else:
            profile[target] = ", ".join(values)
    return profile
