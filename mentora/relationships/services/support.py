"""The programme team's support of pairs: check-ins, nudges and their settings."""

from __future__ import annotations

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
from mentora.relationships import tasks
from mentora.relationships.models import (
    FollowUp,
    Pair,
    SupportSettings,
)


@transaction.atomic
def follow_up_record(
    *,
    pair: Pair,
    actor: Any,
    held_on: dt.date,
    channel: str = "",
    note: str = "",
    submission: uuid.UUID | None = None,
) -> FollowUp:
    """The manager's individual check-in with a pair."""
    submission_claim(token=submission, user=actor)
    follow_up = FollowUp.objects.create(
        pair=pair, manager=actor, held_on=held_on, channel=channel.strip(), note=note.strip()
    )
    audit_log(
        actor=actor,
        action="relationships.follow_up.record",
        obj=follow_up,
        programme=pair.programme,
        changes={"held_on": held_on.isoformat()},
    )
    return follow_up


@transaction.atomic
def support_settings_update(*, programme: Any, actor: Any, nudge_after_days: int) -> None:
    if not 0 <= nudge_after_days <= 365:
        raise ValidationError(_("Give between 0 (no nudges) and 365 days."))
    current, _created = SupportSettings.objects.get_or_create(programme=programme)
    if current.nudge_after_days != nudge_after_days:
        audit_log(
            actor=actor,
            action="relationships.settings.nudge",
            obj=current,
            organisation=programme.organisation,
            changes={
                "nudge_after_days": {"old": current.nudge_after_days, "new": nudge_after_days}
            },
        )
        current.nudge_after_days = nudge_after_days
        current.save(update_fields=["nudge_after_days"])


def pair_support_check(pair: Pair) -> None:
    """Refuse, saying why, to nudge or ask a pair that has ended."""
    if not pair.is_active:
        raise ValidationError(_("This match has ended."))


@transaction.atomic
def pair_checkin_request(*, pair: Pair, actor: Any) -> None:
    """Ask both of an active pair how it is going: each is notified and asked to record it
    as feedback to the programme team in their workspace. The audit entry says only that
    they were asked."""
    pair_support_check(pair)
    audit_log(
        actor=actor, action="relationships.pair.checkin_request", obj=pair, programme=pair.programme
    )
    transaction.on_commit(partial(tasks.send_checkin_request.enqueue, pair.pk))


def pair_nudge(*, pair: Pair, actor: Any) -> None:
    """A friendly reminder to both to meet, with the conversation toolbox."""

    Pair.objects.filter(pk=pair.pk).update(nudged_at=timezone.now())
    audit_log(actor=actor, action="relationships.pair.nudge", obj=pair, programme=pair.programme)
    transaction.on_commit(partial(tasks.send_nudge.enqueue, pair.pk))


def nudge_quiet_pairs(*, now: dt.datetime | None = None) -> int:
    """Nudge pairs that have not met for the programme's number of days (run daily)."""
    now = now or timezone.now()
    count = 0
    for pair in Pair.objects.active().select_related("programme__support_settings"):
        settings_row = getattr(pair.programme, "support_settings", None)
        days = settings_row.nudge_after_days if settings_row else 30
        if not days:
            continue
        last_meeting = (
            pair.meetings.filter(cancelled_at__isnull=True, starts_at__lt=now)
            .order_by("-starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
        quiet_since = last_meeting or pair.started_at
        recently_nudged = pair.nudged_at and pair.nudged_at > now - dt.timedelta(days=days)
        has_next = pair.meetings.filter(cancelled_at__isnull=True, starts_at__gte=now).exists()
        if quiet_since <= now - dt.timedelta(days=days) and not recently_nudged and not has_next:
            with transaction.atomic():
                pair_nudge(pair=pair, actor=None)
            count += 1
    return count
