"""The expert network: connecting learners with experts and following their activity."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.core.submissions import submission_claim
from mentora.people.models import label_related
from mentora.programmes.access import can_manage_programme
from mentora.programmes.models import (
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Programme,
    ProgrammeKind,
)
from mentora.relationships import tasks
from mentora.relationships.models import (
    ExpertActivity,
    ExpertActivityKind,
    ExpertConnection,
)

# An expert whose connections have seen no activity for this long is quiet, and is asked
# (at most once in as many days) how it is going.
QUIET_DAYS = 45

# Participations that no longer take part cannot be connected.
NOT_TAKING_PART = [ParticipantStatus.DECLINED, ParticipantStatus.WITHDRAWN, ParticipantStatus.LEFT]


def _expert_theme(expert: Participant, theme: str) -> str | None:
    """The expert's own spelling of `theme`, compared case-insensitively, or None."""
    wanted = theme.strip().casefold()
    for own in expert.themes():
        if str(own).strip().casefold() == wanted:
            return str(own).strip()
    return None


def _takes_part(participant: Participant, programme: Programme, role: str) -> bool:
    """Whether `participant` still takes part in `programme`, in `role`."""
    return (
        participant.programme_id == programme.pk
        and participant.role == role
        and participant.status not in NOT_TAKING_PART
    )


@transaction.atomic
def expert_connect(
    *, programme: Programme, learner: Participant, expert: Participant, theme: str, actor: Any
) -> ExpertConnection:
    """Put a learner in touch with an expert on one of the expert's themes, and tell both.
    A learner may be connected with several experts."""

    if programme.kind != ProgrammeKind.EXPERT_NETWORK:
        raise ValidationError(_("Learners are connected with experts only in expert networks."))
    if not _takes_part(learner, programme, ParticipantRole.MENTEE):
        raise ValidationError(_("Choose a learner taking part in this programme."))
    if not _takes_part(expert, programme, ParticipantRole.MENTOR):
        raise ValidationError(_("Choose an expert taking part in this programme."))
    if learner.person_id == expert.person_id:
        raise ValidationError(_("A learner cannot be their own expert."))
    own_theme = _expert_theme(expert, theme)
    if own_theme is None:
        raise ValidationError(_("Choose one of the expert's themes."))
    if ExpertConnection.objects.filter(
        learner=learner, expert=expert, theme=own_theme, closed_at__isnull=True
    ).exists():
        raise ValidationError(_("The learner is already connected with this expert on the theme."))
    connection = ExpertConnection.objects.create(
        programme=programme,
        learner=learner,
        expert=expert,
        theme=own_theme,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_log(
        actor=actor,
        action="relationships.expert.connect",
        obj=connection,
        organisation=programme.organisation,
        changes={"learner": learner.pk, "expert": expert.pk, "theme": own_theme},
    )
    transaction.on_commit(partial(tasks.send_expert_connected.enqueue, connection.pk))
    return connection


def _require_open_connection_party(connection: ExpertConnection, actor: Any, refusal: str) -> None:
    """The learner, the expert or a manager of the programme, on a connection still open;
    ``refusal`` says what the actor may not do. No actor (a script) is none of them."""

    allowed = actor is not None and (
        actor.pk in connection.member_user_ids()
        or can_manage_programme(actor, connection.programme)
    )
    if not allowed:
        raise ValidationError(refusal)
    if not connection.is_open:
        raise ValidationError(_("This connection has been closed."))


@transaction.atomic
def expert_activity_record(
    *,
    connection: ExpertConnection,
    actor: Any,
    kind: str,
    happened_on: dt.date,
    note: str = "",
    submission: uuid.UUID | None = None,
) -> ExpertActivity:
    """Record what happened in a connection: by the learner, the expert or a manager."""
    submission_claim(token=submission, user=actor)
    _require_open_connection_party(
        connection,
        actor,
        _("Only the learner, the expert or the programme manager can record activity."),
    )
    if kind not in ExpertActivityKind.values:
        raise ValidationError(_("Choose what kind of activity it was."))
    if happened_on > timezone.localdate():
        raise ValidationError(_("Record activity that has happened, not planned activity."))
    note = note.strip()
    if len(note) > 300:
        raise ValidationError(_("Keep the note to 300 characters."))
    activity = ExpertActivity.objects.create(
        connection=connection,
        kind=kind,
        happened_on=happened_on,
        note=note,
        recorded_by=actor,
    )
    # The note is left out of the audit log; the fact of the activity is enough there.
    audit_log(
        actor=actor,
        action="relationships.expert.activity",
        obj=activity,
        organisation=connection.programme.organisation,
        changes={"kind": kind, "happened_on": happened_on.isoformat()},
    )
    return activity


@dataclasses.dataclass
class ExpertSummary:
    expert: Participant
    connections: int
    activities_30: int
    activities_90: int
    last_activity: dt.date | None
    quiet: bool


def _quiet_since(connections: list[ExpertConnection], last_activity: dt.date | None) -> dt.date:
    # A fresh connection is not quiet yet: count from the newest one when nothing happened
    # since.
    newest = max(timezone.localdate(c.created_at) for c in connections)
    return max(newest, last_activity) if last_activity else newest


def expert_activity_summary(
    programme: Programme, *, today: dt.date | None = None
) -> list[ExpertSummary]:
    """Per expert of the programme: open connections, activities in the last 30 and 90 days,
    the last activity, and whether they have been quiet for QUIET_DAYS."""
    today = today or timezone.localdate()
    experts = (
        Participant.objects.filter(programme=programme, role=ParticipantRole.MENTOR)
        .exclude(status__in=NOT_TAKING_PART)
        .select_related(*label_related("person"))
        .order_by("person__last_name", "person__first_name", "pk")
    )
    connections: dict[int, list[ExpertConnection]] = {}
    for connection in ExpertConnection.objects.filter(programme=programme, closed_at__isnull=True):
        connections.setdefault(connection.expert_id, []).append(connection)
    dates: dict[int, list[dt.date]] = {}
    for expert_id, happened_on in ExpertActivity.objects.filter(
        connection__programme=programme
    ).values_list("connection__expert_id", "happened_on"):
        dates.setdefault(expert_id, []).append(happened_on)
    summary = []
    for expert in experts:
        own = dates.get(expert.pk, [])
        last = max(own) if own else None
        open_connections = connections.get(expert.pk, [])
        quiet = bool(open_connections) and (
            _quiet_since(open_connections, last) <= today - dt.timedelta(days=QUIET_DAYS)
        )
        summary.append(
            ExpertSummary(
                expert=expert,
                connections=len(open_connections),
                activities_30=sum(1 for d in own if d > today - dt.timedelta(days=30)),
                activities_90=sum(1 for d in own if d > today - dt.timedelta(days=90)),
                last_activity=last,
                quiet=quiet,
            )
        )
    return summary


def experts_check_quiet(*, now: dt.datetime | None = None) -> int:
    """Ask every quiet expert how it is going, at most once in QUIET_DAYS (run daily).
    Returns how many experts were asked."""

    now = now or timezone.now()
    today = timezone.localdate(now)
    by_expert: dict[int, list[ExpertConnection]] = {}
    for connection in ExpertConnection.objects.filter(
        closed_at__isnull=True, programme__kind=ProgrammeKind.EXPERT_NETWORK
    ).exclude(expert__status__in=NOT_TAKING_PART):
        by_expert.setdefault(connection.expert_id, []).append(connection)
    count = 0
    for expert_id, connections in by_expert.items():
        asked = [c.quiet_check_sent_at for c in connections if c.quiet_check_sent_at]
        if asked and max(asked) > now - dt.timedelta(days=QUIET_DAYS):
            continue
        last = (
            ExpertActivity.objects.filter(connection__in=connections)
            .order_by("-happened_on")
            .values_list("happened_on", flat=True)
            .first()
        )
        if _quiet_since(connections, last) > today - dt.timedelta(days=QUIET_DAYS):
            continue
        with transaction.atomic():
            ExpertConnection.objects.filter(pk__in=[c.pk for c in connections]).update(
                quiet_check_sent_at=now
            )
            transaction.on_commit(partial(tasks.send_expert_quiet_check.enqueue, expert_id))
        count += 1
    return count


@transaction.atomic
def expert_disconnect(*, connection: ExpertConnection, actor: Any) -> ExpertConnection:
    """End a connection, by the learner, the expert or a manager; its activity is kept."""
    _require_open_connection_party(
        connection,
        actor,
        _("Only the learner, the expert or the programme manager can end a connection."),
    )
    connection.closed_at = timezone.now()
    connection.save(update_fields=["closed_at"])
    audit_log(
        actor=actor,
        action="relationships.expert.disconnect",
        obj=connection,
        organisation=connection.programme.organisation,
    )
    return connection
