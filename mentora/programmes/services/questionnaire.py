"""A programme's planned touchpoints and its questionnaire, and the matching profile built
from a participant's answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentora.core import ordering
from mentora.core.audit import audit_log, snapshot, values_assign
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
QUESTION_FIELDS = ("role", "text", "kind", "choices", "maps_to", "required")


def _choices_checked(kind: str, choices: list[str] | None) -> list[str]:
    """The choices a question of `kind` keeps: two or more for a choice question, else none."""
    choices = list(dict.fromkeys(c.strip() for c in (choices or []) if c.strip()))
    if kind in CHOICE_KINDS and len(choices) < 2:
        raise ValidationError(_("A choice question needs at least two choices."), code="choices")
    return choices if kind in CHOICE_KINDS else []


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
    choices = _choices_checked(kind, choices)
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
        changes=snapshot(question, QUESTION_FIELDS),
    )
    return question


def _given_answers(question: Question) -> list[Any]:
    """The answers participants have given to `question` (none empty)."""
    key = str(question.pk)
    answers = Participant.objects.filter(programme_id=question.programme_id).values_list(
        "answers", flat=True
    )
    return [
        given[key]
        for given in answers
        if isinstance(given, dict) and given.get(key) not in (None, "", [])
    ]


def _chosen(answers: list[Any]) -> set[str]:
    chosen: set[str] = set()
    for answer in answers:
        chosen.update(_as_list(answer) if isinstance(answer, list) else [str(answer)])
    return chosen


@transaction.atomic
def question_edit(
    *,
    question: Question,
    actor: Any,
    role: str,
    text: str,
    kind: str,
    choices: list[str] | None = None,
    maps_to: str = "",
    required: bool = False,
) -> dict[str, dict[str, Any]]:
    """Change a question. Its wording, whether it is required, what it feeds and new
    choices may change at any time; once it has answers, a change that would make them
    wrong is refused: another kind or role, or removing a choice someone chose.

    The fields that changed, as the audit log records them.
    """
    question = Question.objects.select_for_update().get(pk=question.pk)
    choices = _choices_checked(kind, choices)
    risky = (kind, role) != (question.kind, question.role) or set(question.choices) - set(choices)
    answers = _given_answers(question) if risky else []
    if answers and kind != question.kind:
        raise ValidationError(
            _(
                "The kind of answer cannot change: participants have already answered this "
                "question as “%(kind)s”, and their answers would no longer fit. Keep the "
                "kind, or add a new question of the kind you need and remove this one."
            )
            % {"kind": question.get_kind_display()},
            code="kind",
        )
    if answers and role != question.role:
        raise ValidationError(
            _(
                "The role cannot change: participants have already answered this question "
                "in their applications. Keep the role, or add a new question for the other "
                "role."
            ),
            code="role",
        )
    removed = sorted((set(question.choices) - set(choices)) & _chosen(answers))
    if removed:
        raise ValidationError(
            _(
                "These choices cannot be removed or reworded, because participants have "
                "already chosen them: %(choices)s. Keep them (you may add new choices), or "
                "add a new question with the choices you need."
            )
            % {"choices": ", ".join(f"“{choice}”" for choice in removed)},
            code="choices",
        )
    old_role = question.role
    changes = values_assign(
        question,
        {
            "role": role,
            "text": text,
            "kind": kind,
            "choices": choices,
            "maps_to": maps_to,
            "required": required,
        },
        QUESTION_FIELDS,
    )
    if not changes:
        return changes
    if role != old_role:
        # The question goes last among the questions of its new role.
        last = programme_questions(question.programme, role).order_by("-position").first()
        question.position = (last.position + 1) if last else 1
    question.save()
    if role != old_role:
        ordering.renumber(programme_questions(question.programme, old_role))
    audit_log(
        actor=actor,
        action="programmes.question.edit",
        obj=question,
        programme=question.programme,
        changes=changes,
    )
    return changes


def programme_questions(programme: Programme, role: str) -> Any:
    """The questions one role is asked, in their order."""
    return programme.questions.filter(role=role)


@transaction.atomic
def question_move(*, question: Question, direction: str, actor: Any) -> tuple[int, int]:
    """Move a question one place up or down among the questions for its role."""
    moved = ordering.move_or_refuse(
        question,
        siblings=programme_questions(question.programme, question.role),
        direction=direction,
        first=_("The question is already the first for its role."),
        last=_("The question is already the last for its role."),
        code="position",
    )
    old, new = moved
    audit_log(
        actor=actor,
        action="programmes.question.move",
        obj=question,
        programme=question.programme,
        changes={"position": {"old": old, "new": new}},
    )
    return moved


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
