"""The pair's workspace: who is who in a pair, the agreement and the learning themes.

What the pair writes never goes into the audit log, e-mails to others or any page but the
pair's own: only the fact that it changed."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log, values_check
from mentora.core.submissions import submission_claim
from mentora.relationships.models import (
    Agreement,
    Goal,
    Pair,
)

AGREEMENT_FIELDS = (
    "meeting_frequency",
    "planned_meetings",
    "learning_goals",
    "ways_of_working",
    "confidentiality",
    "not_recruitment",
    "end_date",
    "after_end",
)


def pair_side(pair: Pair, user: Any) -> str | None:
    """ "mentee" or "mentor" when `user` is one of the pair, else None."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    if pair.mentee.user_id == user_id:
        return "mentee"
    if pair.mentor.user_id == user_id:
        return "mentor"
    return None


def text_required(value: str, refusal: str) -> str:
    """What was written, without surrounding space; refused with `refusal` when blank."""
    value = value.strip()
    if not value:
        raise ValidationError(refusal)
    return value


def _member_side_or_closed(pair: Pair, actor: Any) -> str:
    """The actor's side, refused to anyone else; the pair may have ended."""
    side = pair_side(pair, actor)
    if side is None:
        raise ValidationError(_("Only the mentee and the mentor can do this."))
    return side


def _member_side(pair: Pair, actor: Any) -> str:
    """The actor's side, refused to anyone else and once the pair has ended."""
    side = _member_side_or_closed(pair, actor)
    if not pair.is_active:
        raise ValidationError(_("This match has ended."))
    return side


@transaction.atomic
def agreement_save(
    *, pair: Pair, actor: Any, submission: uuid.UUID | None = None, **values: Any
) -> Agreement:
    """Write the agreement, or change it: every change is a new version both sign again."""
    _member_side(pair, actor)
    submission_claim(token=submission, user=actor)
    values_check(values, AGREEMENT_FIELDS, what="an agreement field")
    if not (values.get("confidentiality") and values.get("not_recruitment")):
        raise ValidationError(
            _(
                "The agreement must state confidentiality both ways and that the programme is "
                "not a recruitment channel."
            )
        )
    latest = pair.latest_agreement()
    agreement = Agreement.objects.create(
        pair=pair, version=(latest.version + 1) if latest else 1, created_by=actor, **values
    )
    audit_log(
        actor=actor,
        action="relationships.agreement.save",
        obj=agreement,
        programme=pair.programme,
        changes={"version": agreement.version},
    )
    return agreement


@transaction.atomic
def agreement_sign(*, agreement: Agreement, actor: Any) -> Agreement:
    side = _member_side(agreement.pair, actor)
    latest = agreement.pair.latest_agreement()
    if latest is None or latest.pk != agreement.pk:
        raise ValidationError(_("Only the latest version of the agreement can be signed."))
    field = f"{side}_signed_at"
    if getattr(agreement, field) is None:
        setattr(agreement, field, timezone.now())
        agreement.save(update_fields=[field])
        audit_log(
            actor=actor,
            action="relationships.agreement.sign",
            obj=agreement,
            programme=agreement.pair.programme,
            changes={"side": side},
        )
    return agreement


@transaction.atomic
def goal_add(
    *,
    pair: Pair,
    actor: Any,
    theme: str,
    description: str = "",
    submission: uuid.UUID | None = None,
) -> Goal:
    _member_side(pair, actor)
    submission_claim(token=submission, user=actor)
    theme = text_required(theme, _("Name the theme."))
    goal = Goal.objects.create(pair=pair, theme=theme, description=description.strip())
    audit_log(
        actor=actor,
        action="relationships.goal.add",
        obj=goal,
        programme=pair.programme,
        changes={"theme": goal.theme},
    )
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, actor: Any, progress: int) -> Goal:
    _member_side(goal.pair, actor)
    if not 0 <= progress <= 100:
        raise ValidationError(_("Progress runs from 0 to 100."))
    old = goal.progress
    goal.progress, goal.updated_at = progress, timezone.now()
    goal.save(update_fields=["progress", "updated_at"])
    audit_log(
        actor=actor,
        action="relationships.goal.progress",
        obj=goal,
        programme=goal.pair.programme,
        changes={"progress": {"old": old, "new": progress}},
    )
    return goal
