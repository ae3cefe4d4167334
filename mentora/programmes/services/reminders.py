"""Pending steps of the pipeline that are worth a reminder, and who hears about them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

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

# The defaults of the days before a pending step is worth a reminder; each programme can
# set its own (`application_reminder_days` and `approval_reminder_days` of its support
# settings). The line manager's interval is also the least time between two reminders.
REMINDER_AFTER_DAYS = 7
LINE_MANAGER_REMINDER_AFTER_DAYS = 3


def _programmes_by_interval(field: str, default: int) -> dict[int, list[int]]:
    """Programme ids grouped by their interval `field`, in days. The settings belong to the
    relationships app above this one, so they are read through the reverse relation."""
    groups: dict[int, list[int]] = defaultdict(list)
    for pk, days in Programme.objects.values_list("pk", f"support_settings__{field}"):
        groups[days or default].append(pk)
    return groups


def waited_for(field: str, default: int, now: dt.datetime) -> Q:
    """Participants whose status has not changed for their programme's `field` days."""
    condition = Q(pk__in=[])
    for days, ids in _programmes_by_interval(field, default).items():
        cutoff = now - dt.timedelta(days=days)
        condition |= Q(programme_id__in=ids, status_changed_at__lte=cutoff)
    return condition


def approval_overdue(now: dt.datetime) -> Q:
    """Line-manager approvals waiting longer than their programme's approval interval."""
    return waited_for("approval_reminder_days", LINE_MANAGER_REMINDER_AFTER_DAYS, now)


def pending_reminders(now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """(participant id, kind) for every pending step that has waited long enough.

    Kinds: `apply` (invited, not applied), `line_manager` (approval pending),
    `screening` (a mentor waiting for an interview, sent to the programme managers).
    """
    now = now or timezone.now()
    due = waited_for("application_reminder_days", REMINDER_AFTER_DAYS, now)
    due_manager = approval_overdue(now)
    pending: list[tuple[int, str]] = []
    not_lately = Q(reminded_at__isnull=True)
    for days, ids in _programmes_by_interval(
        "approval_reminder_days", LINE_MANAGER_REMINDER_AFTER_DAYS
    ).items():
        not_lately |= Q(programme_id__in=ids, reminded_at__lte=now - dt.timedelta(days=days))
    participants = Participant.objects.filter(not_lately)
    for pk in participants.filter(due, status=S.INVITED).values_list("pk", flat=True):
        pending.append((pk, "apply"))
    for pk in participants.awaiting_line_manager().filter(due_manager).values_list("pk", flat=True):
        pending.append((pk, "line_manager"))
    for pk in participants.filter(
        due,
        role=ParticipantRole.MENTOR,
        status__in=[S.APPLIED, S.UNDER_REVIEW],
        screening_outcome="",
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
