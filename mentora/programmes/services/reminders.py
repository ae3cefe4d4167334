"""Pending steps of the pipeline that are worth a reminder, and who hears about them."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from mentora.accounts.models import Role, User
from mentora.programmes.models import (
    LineManagerDecision,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Programme,
)

S = ParticipantStatus

# Days before a pending step is worth a reminder, and between two reminders.
REMINDER_AFTER_DAYS = 7
LINE_MANAGER_REMINDER_AFTER_DAYS = 3


def pending_reminders(now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """(participant id, kind) for every pending step that has waited long enough.

    Kinds: `apply` (invited, not applied), `line_manager` (approval pending),
    `screening` (a mentor waiting for an interview, sent to the programme managers).
    """
    now = now or timezone.now()
    due = now - dt.timedelta(days=REMINDER_AFTER_DAYS)
    due_manager = now - dt.timedelta(days=LINE_MANAGER_REMINDER_AFTER_DAYS)
    pending: list[tuple[int, str]] = []
    participants = Participant.objects.filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lte=due_manager)
    )
    for pk in participants.filter(status=S.INVITED, status_changed_at__lte=due).values_list(
        "pk", flat=True
    ):
        pending.append((pk, "apply"))
    for pk in (
        participants.awaiting_line_manager()
        .filter(status_changed_at__lte=due_manager)
        .values_list("pk", flat=True)
    ):
        pending.append((pk, "line_manager"))
    for pk in participants.filter(
        role=ParticipantRole.MENTOR,
        status__in=[S.APPLIED, S.UNDER_REVIEW],
        screening_outcome="",
        status_changed_at__lte=due,
    ).values_list("pk", flat=True):
        pending.append((pk, "screening"))
    return pending


def manager_users(programme: Programme) -> list[User]:
    """Who hears about a programme's pending work: its manager team, else the owner's."""
    managers = list(programme.managers.filter(is_active=True))
    if managers:
        return managers
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=programme.organisation,
            memberships__role=Role.PROGRAMME_MANAGER,
        ).distinct()
    )


def reminder_kind(participant: Participant) -> str | None:
    """The reminder the participant's pending step is worth now, whatever its age: `apply`
    or `line_manager` (the same kinds as `pending_reminders`), else None."""
    if participant.status == S.INVITED:
        return "apply"
    if (
        participant.status == S.NEEDS_LINE_MANAGER
        and participant.line_manager_decision == LineManagerDecision.PENDING
    ):
        return "line_manager"
    return None
