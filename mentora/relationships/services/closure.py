"""How a pair ends: each side's closing, the certificates, and stories shared with consent."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML

from mentora.core.audit import audit_log
from mentora.core.submissions import submission_claim
from mentora.programmes.models import ParticipantStatus
from mentora.programmes.services import pipeline
from mentora.relationships.models import (
    Closure,
    Continuation,
    Pair,
    Story,
    StoryStatus,
)
from mentora.relationships.services.workspace import (
    _member_side,
    _member_side_or_closed,
    text_required,
)
from mentora.webhooks.services import emit


@transaction.atomic
def closure_submit(
    *,
    pair: Pair,
    actor: Any,
    reflection: str,
    continuation: str,
    thanks: str,
    submission: uuid.UUID | None = None,
) -> Closure:
    """One side's part of the closing: reflection, continuation wish and thanks. When both
    have closed, the pair ends and both are marked as having completed the programme."""

    # Both sides may close at once: the pair's row decides who writes first.
    pair = (
        Pair.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "mentee", "mentor")
        .get(pk=pair.pk)
    )
    submission_claim(token=submission, user=actor)
    side = _member_side(pair, actor)
    refusals = pair.closure_refusals()
    if refusals:
        raise ValidationError(refusals)
    if continuation not in Continuation.values:
        raise ValidationError(_("Choose what happens after the programme."))
    closure, _created = Closure.objects.select_for_update().get_or_create(pair=pair)
    if getattr(closure, f"{side}_done_at"):
        raise ValidationError(_("Your part of the closing is already saved."))
    setattr(closure, f"{side}_reflection", reflection.strip())
    setattr(closure, f"{side}_continuation", continuation)
    setattr(closure, f"{side}_thanks", thanks.strip())
    setattr(closure, f"{side}_done_at", timezone.now())
    closure.save()
    audit_log(
        actor=actor,
        action="relationships.closure.submit",
        obj=closure,
        programme=pair.programme,
        changes={"side": side},
    )
    if closure.is_complete:
        pair.ended_at = timezone.now()
        pair.ended_by = actor
        pair.save(update_fields=["ended_at", "ended_by"])
        for participant in (pair.mentee, pair.mentor):
            # Matched pairs pass through "active" on their way to "completed".
            for status in (ParticipantStatus.ACTIVE, ParticipantStatus.COMPLETED):
                fresh = type(participant).objects.get(pk=participant.pk)
                if status in pipeline.allowed_transitions(fresh):
                    pipeline.participant_transition(
                        participant=fresh,
                        to_status=status,
                        actor=actor,
                        note=_("The pair closed its mentoring."),
                    )
        audit_log(
            actor=actor, action="relationships.pair.complete", obj=pair, programme=pair.programme
        )
        pair_ended_emit(pair=pair, completed=True)
    return closure


def pair_ended_emit(*, pair: Pair, completed: bool) -> None:
    """Tell the webhooks that `pair` ended (completed, or before its time): ids and dates
    only, never the reason, which is for the programme team's eyes alone."""
    emit(
        organisation_ids=pair.programme.organisation_ids(),
        event="pair.ended",
        payload={
            "pair_id": pair.pk,
            "programme_id": pair.programme_id,
            "ended_at": pair.ended_at,
            "completed": completed,
        },
    )


@transaction.atomic
def story_submit(
    *,
    pair: Pair,
    actor: Any,
    title: str,
    text: str,
    consent: bool,
    submission: uuid.UUID | None = None,
) -> Story:
    _member_side_or_closed(pair, actor)
    submission_claim(token=submission, user=actor)
    if not consent:
        raise ValidationError(_("A story is shared only with your consent."))
    refusal = _("Give your story a title and a text.")
    title, text = text_required(title, refusal), text_required(text, refusal)
    story = Story.objects.create(pair=pair, author=actor, title=title, text=text, consent=True)
    audit_log(actor=actor, action="relationships.story.submit", obj=story, programme=pair.programme)
    return story


@transaction.atomic
def story_decide(*, story: Story, actor: Any, approve: bool) -> Story:
    story.status = StoryStatus.APPROVED if approve else StoryStatus.DECLINED
    story.decided_by = actor
    story.save(update_fields=["status", "decided_by"])
    audit_log(
        actor=actor,
        action="relationships.story." + ("approve" if approve else "decline"),
        obj=story,
        programme=story.pair.programme,
    )
    return story


def _logo() -> str:
    """The logo as a data URI: the PDF is rendered with no web server to fetch it from."""
    path = finders.find("img/logo.svg")
    assert isinstance(path, str), "static/img/logo.svg is missing"
    data = Path(path).read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def certificate_pdf(*, pair: Pair, side: str) -> bytes:
    """The mentee's diploma or the mentor's certificate of thanks, in the reader's language."""

    participant = pair.mentee if side == "mentee" else pair.mentor
    language = participant.user.language if participant.user else "en"
    with translation.override(language):
        html = render_to_string(
            "relationships/certificate.html",
            {
                "pair": pair,
                "side": side,
                "participant": participant,
                "other": pair.mentor if side == "mentee" else pair.mentee,
                "ended": pair.ended_at or timezone.now(),
                "language": language,
                "manager": pair.programme.managers.order_by("pk").first(),
                "logo": _logo(),
            },
        )
    return HTML(string=html).write_pdf()
