"""Two-way feedback, feedback moments and the conversation toolbox."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.core.submissions import submission_claim
from mentora.programmes.access import can_manage_programme, is_line_manager_of
from mentora.relationships.models import (
    Feedback,
    FeedbackDirection,
    FeedbackMoment,
    Pair,
    Tool,
)
from mentora.relationships.services.workspace import pair_side, text_required

AUTHOR_OF: dict[str, str] = {
    FeedbackDirection.MENTOR_TO_MENTEE: "mentor",
    FeedbackDirection.MENTEE_TO_MENTOR: "mentee",
    FeedbackDirection.MENTEE_TO_MANAGER: "mentee",
    FeedbackDirection.MENTOR_TO_MANAGER: "mentor",
    FeedbackDirection.LINE_MANAGER_TO_MENTEE: "line_manager",
}


def _is_line_manager(user: Any, pair: Pair) -> bool:

    return is_line_manager_of(user, pair.mentee)


@transaction.atomic
def feedback_give(
    *,
    pair: Pair,
    actor: Any,
    direction: str,
    text: str,
    moment: FeedbackMoment | None = None,
    submission: uuid.UUID | None = None,
) -> Feedback:
    """Give feedback in one direction; the author must be the one the direction names."""
    submission_claim(token=submission, user=actor)
    if direction not in AUTHOR_OF:
        raise ValidationError(_("Choose who the feedback is for."))
    author = AUTHOR_OF[direction]
    allowed = (
        _is_line_manager(actor, pair)
        if author == "line_manager"
        else pair_side(pair, actor) == author
    )
    if not allowed:
        raise ValidationError(_("You cannot give feedback in that direction."))
    text = text_required(text, _("Write your feedback."))
    if moment is not None and moment.programme_id != pair.programme_id:
        raise ValidationError(_("That feedback moment belongs to another programme."))
    feedback = Feedback.objects.create(
        pair=pair, moment=moment, direction=direction, author=actor, text=text
    )
    audit_log(
        actor=actor,
        action="relationships.feedback.give",
        obj=feedback,
        programme=pair.programme,
        changes={"direction": direction},
    )
    return feedback


def feedback_visible_to(user: Any, pair: Pair) -> Any:
    """Feedback `user` may read in this pair: their own, and what is addressed to them."""

    side = pair_side(pair, user)
    addressed = Q(pk__in=[])
    if side == "mentee":
        addressed = Q(
            direction__in=[
                FeedbackDirection.MENTOR_TO_MENTEE,
                FeedbackDirection.LINE_MANAGER_TO_MENTEE,
            ]
        )
    elif side == "mentor":
        addressed = Q(direction=FeedbackDirection.MENTEE_TO_MENTOR)
    elif can_manage_programme(user, pair.programme):
        addressed = Q(pk__in=pair.feedback.for_programme_team(user).values("pk"))
    return pair.feedback.filter(Q(author=user) | addressed)


@transaction.atomic
def feedback_moment_add(
    *, programme: Any, actor: Any, title: str, opens_on: dt.date
) -> FeedbackMoment:
    title = text_required(title, _("Name the feedback moment."))
    moment = FeedbackMoment.objects.create(programme=programme, title=title, opens_on=opens_on)
    audit_log(
        actor=actor,
        action="relationships.feedback_moment.add",
        obj=moment,
        organisation=programme.organisation,
        changes={"title": moment.title},
    )
    return moment


@transaction.atomic
def tool_save(*, programme: Any, actor: Any, replaces: Tool | None = None, **values: Any) -> Tool:
    """Add a programme tool, or the programme's own version of a library tool."""
    required = ("kind", "phase", "title_en", "title_da", "body_en", "body_da")
    if any(not str(values.get(name, "")).strip() for name in required):
        raise ValidationError(_("Fill in the tool in both English and Danish."))
    if replaces is not None and replaces.programme_id is not None:
        raise ValidationError(_("Only a library tool can be replaced."))
    Tool.objects.filter(programme=programme, replaces=replaces).exclude(
        replaces__isnull=True
    ).delete()
    tool = Tool.objects.create(
        programme=programme,
        replaces=replaces,
        position=replaces.position if replaces else 500,
        **{name: values[name] for name in required},
    )
    audit_log(
        actor=actor,
        action="relationships.tool.save",
        obj=tool,
        organisation=programme.organisation,
        changes={"title": tool.title_en},
    )
    return tool
