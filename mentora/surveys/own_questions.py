"""The programme's own survey questions: what one must say to be asked, and, once added,
changed without making the answers already given wrong, and kept in the order the managers
choose."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentora.core import ordering
from mentora.core.audit import audit_log, values_assign
from mentora.core.forms import MAX_ID, parse_whole_number
from mentora.surveys.models import (
    CHOICE_KINDS,
    Answer,
    Audience,
    InstrumentSource,
    Question,
    QuestionKind,
)

OWN_QUESTION_FIELDS = ("kind", "text_en", "text_da", "audience", "choices")


def own_question_checked(
    kind: str, audience: list[str], choices: list[dict[str, str]]
) -> tuple[list[str], list[dict[str, str]]]:
    """The groups a question of `kind` asks, in their usual order, and the choices it keeps:
    two or more for a choice question, else none. A kind or groups that will not do, or too
    few choices, are refused."""
    if kind not in QuestionKind.values:
        raise ValidationError(_("Choose a kind of question."))
    audience = [a for a in Audience.values if a in set(audience)]
    if not audience:
        raise ValidationError(_("Choose at least one group to ask."))
    if kind in CHOICE_KINDS and len(choices) < 2:
        raise ValidationError(_("A choice question needs at least two choices."))
    return audience, choices if kind in CHOICE_KINDS else []


def _choices_keeping_values(
    old: list[dict[str, str]], new: list[dict[str, str]]
) -> list[dict[str, str]]:
    """The `new` choices, each keeping the value of the old choice with its English
    wording, so that answers already given keep pointing at what was chosen; a new
    wording gets a value no choice has had."""
    by_wording = {str(c.get("en", "")): str(c["value"]) for c in old}
    numbers = [parse_whole_number(c["value"], minimum=0, maximum=MAX_ID) for c in old]
    fresh = max((n for n in numbers if n is not None), default=0)
    result = []
    for choice in new:
        value = by_wording.get(choice["en"])
        if value is None:
            fresh += 1
            value = str(fresh)
        result.append({**choice, "value": value})
    return result


@transaction.atomic
def custom_question_edit(
    *,
    question: Question,
    kind: str,
    text_en: str,
    text_da: str,
    audience: list[str],
    actor: Any,
    choices: list[dict[str, str]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Change one of the programme's own questions. Its wording, whom it asks and new
    choices may change at any time; once it has answers, a change that would make them
    wrong is refused: another kind, no longer asking a group that answered, or removing a
    choice someone chose.

    The fields that changed, as the audit log records them.
    """
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.instrument.source != InstrumentSource.PROGRAMME:
        raise ValidationError(_("Only the programme's own questions can be changed."))
    # A choice is known by its English wording, which keeps its value.
    worded = [c for c in (choices or []) if str(c.get("en", "")).strip()]
    audience, choices = own_question_checked(kind, audience, worded)
    choices = _choices_keeping_values(question.choices, choices) if choices else []
    answers = Answer.objects.filter(question=question)
    if kind != question.kind and answers.exists():
        raise ValidationError(
            _(
                "The kind of question cannot change: people have already answered it as "
                "“%(kind)s”, and their answers would no longer fit. Keep the kind, or add a "
                "new question of the kind you need."
            )
            % {"kind": question.get_kind_display()}
        )
    dropped = set(question.audience) - set(audience)
    if dropped and answers.filter(response__role__in=dropped).exists():
        raise ValidationError(
            _(
                "A group that has already answered must still be asked, or its answers "
                "would drop out of the results. Keep the group, or add a new question for "
                "the groups you want to ask."
            )
        )
    kept = {c["value"] for c in choices}
    chosen = {str(v) for given in answers.values_list("choices", flat=True) for v in given or []}
    removed = [
        c for c in question.choices if str(c["value"]) not in kept and str(c["value"]) in chosen
    ]
    if removed:
        raise ValidationError(
            _(
                "These choices cannot be removed or reworded, because people have already "
                "chosen them: %(choices)s. Keep them (you may add new choices), or add a new "
                "question with the choices you need."
            )
            % {"choices": ", ".join(f"“{c.get('en', c['value'])}”" for c in removed)}
        )
    changes = values_assign(
        question,
        {
            "kind": kind,
            "text_en": text_en.strip(),
            "text_da": text_da.strip() or text_en.strip(),
            "audience": audience,
            "choices": choices,
        },
        OWN_QUESTION_FIELDS,
    )
    if changes:
        question.save()
        audit_log(
            actor=actor,
            action="surveys.question.edit",
            obj=question,
            programme=question.instrument.programme,
            changes=changes,
        )
    return changes


@transaction.atomic
def custom_question_move(*, question: Question, direction: str, actor: Any) -> tuple[int, int]:
    """Move one of the programme's own questions one place up or down."""
    moved = ordering.move_or_refuse(
        question,
        siblings=Question.objects.filter(instrument_id=question.instrument_id),
        direction=direction,
        first=_("The question is already the first."),
        last=_("The question is already the last."),
    )
    old, new = moved
    audit_log(
        actor=actor,
        action="surveys.question.move",
        obj=question,
        programme=question.instrument.programme,
        changes={"position": {"old": old, "new": new}},
    )
    return moved
