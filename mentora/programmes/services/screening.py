"""Mentors' screening interviews: booking one and recording its outcome."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log, values_assign
from mentora.programmes.models import (
    Participant,
    ParticipantRole,
    ParticipantStatus,
    ScreeningOutcome,
)
from mentora.programmes.services.pipeline import participant_transition
from mentora.programmes.tasks import send_screening_invitation

S = ParticipantStatus
SCREENING_FIELDS = ("screening_outcome", "screening_notes")


def _require_mentor(participant: Participant) -> None:
    if participant.role != ParticipantRole.MENTOR:
        raise ValidationError(_("Only mentors have a screening interview."), code="role")


@transaction.atomic
def screening_schedule(*, participant: Participant, at: dt.datetime, actor: Any) -> Participant:
    """Book a mentor's screening interview; the application moves under review."""
    _require_mentor(participant)
    old = participant.screening_at
    participant.screening_at = at
    participant.save(update_fields=["screening_at"])
    audit_log(
        actor=actor,
        action="programmes.participant.screening_schedule",
        obj=participant,
        programme=participant.programme,
        changes={"screening_at": {"old": old, "new": at}},
    )
    if participant.status == S.APPLIED:
        participant = participant_transition(
            participant=participant, to_status=S.UNDER_REVIEW, actor=actor
        )
    transaction.on_commit(partial(send_screening_invitation.enqueue, participant.pk))
    return participant


@transaction.atomic
def screening_record(
    *, participant: Participant, outcome: str, notes: str, actor: Any
) -> Participant:
    """Record the screening interview's notes and outcome (notes are for managers only)."""
    _require_mentor(participant)
    if outcome not in ScreeningOutcome.values:
        raise ValidationError(_("Unknown screening outcome."), code="outcome")
    values = {"screening_outcome": outcome, "screening_notes": notes}
    changes = values_assign(participant, values, SCREENING_FIELDS)
    participant.save(update_fields=list(SCREENING_FIELDS))
    if "screening_notes" in changes:
        # Notes are confidential; the log says they changed, not what they say.
        changes["screening_notes"] = {"old": "…", "new": "…"}
    audit_log(
        actor=actor,
        action="programmes.participant.screening_record",
        obj=participant,
        programme=participant.programme,
        changes=changes,
    )
    return participant
