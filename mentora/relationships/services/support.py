"""The programme team's support of pairs: check-ins, the escalation ladder of quiet pairs
(nudge, note to the mentor, alert to the team) and the settings of every interval."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log, values_assign, values_check
from mentora.core.submissions import submission_claim
from mentora.relationships import tasks
from mentora.relationships.health import current_pause, quiet_since
from mentora.relationships.models import (
    LADDER,
    Escalation,
    EscalationStep,
    FollowUp,
    Meeting,
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


SETTINGS_FIELDS = (
    "nudge_after_days",
    "mentor_note_after_days",
    "manager_alert_after_days",
    "application_reminder_days",
    "approval_reminder_days",
    "introduction_reminder_days",
    "survey_reminder_days",
)


@transaction.atomic
def support_settings_update(*, programme: Any, actor: Any, **values: int) -> SupportSettings:
    """Set the programme's escalation ladder and reminder intervals (those given); the
    audit entry holds each changed number."""
    values_check(values, SETTINGS_FIELDS, what="a support setting")
    for name, value in values.items():
        low = 0 if name == "nudge_after_days" else 1
        if not low <= value <= 365:
            if low == 0:
                raise ValidationError(_("Give between 0 (no nudges) and 365 days."))
            raise ValidationError(_("Give between 1 and 365 days."))
    current, _created = SupportSettings.objects.get_or_create(programme=programme)
    changes = values_assign(current, values, SETTINGS_FIELDS)
    if changes:
        current.save(update_fields=list(changes))
        audit_log(
            actor=actor,
            action="relationships.settings.update",
            obj=current,
            organisation=programme.organisation,
            changes=changes,
        )
    return current


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
    """A friendly reminder to both to meet, with a tool from the toolbox for their phase."""

    Pair.objects.filter(pk=pair.pk).update(nudged_at=timezone.now())
    audit_log(actor=actor, action="relationships.pair.nudge", obj=pair, programme=pair.programme)
    transaction.on_commit(partial(tasks.send_nudge.enqueue, pair.pk))


def _step_due(
    step: str,
    taken: dict[str, Escalation],
    since: dt.datetime,
    now: dt.datetime,
    ladder: SupportSettings,
) -> bool:
    """Whether the pair, quiet since `since`, has waited long enough for `step`."""
    if step == EscalationStep.NUDGE:
        return now - since >= dt.timedelta(days=ladder.nudge_after_days)
    if step == EscalationStep.MENTOR_NOTE:
        return now - taken[EscalationStep.NUDGE].created_at >= dt.timedelta(
            days=ladder.mentor_note_after_days
        )
    return now - taken[EscalationStep.MENTOR_NOTE].created_at >= dt.timedelta(
        days=ladder.manager_alert_after_days
    )


@transaction.atomic
def escalation_take(*, pair: Pair, step: str, quiet_since: dt.datetime, now: dt.datetime) -> bool:
    """Take one step of the ladder for the pair's quiet spell, once: the nudge to both, the
    note to the mentor, or the alert on the programme team's dashboard. False when it was
    already taken. Audited and shown on the pair's timeline as a fact."""
    escalation, created = Escalation.objects.get_or_create(
        pair=pair, step=step, quiet_since=quiet_since, defaults={"created_at": now}
    )
    if not created:
        return False
    audit_log(
        actor=None,
        action=f"relationships.escalation.{step}",
        obj=pair,
        programme=pair.programme,
        changes={"quiet_since": quiet_since.isoformat(), "quiet_days": (now - quiet_since).days},
    )
    if step == EscalationStep.NUDGE:
        Pair.objects.filter(pk=pair.pk).update(nudged_at=now)
        transaction.on_commit(partial(tasks.send_nudge.enqueue, pair.pk))
    elif step == EscalationStep.MENTOR_NOTE:
        transaction.on_commit(partial(tasks.send_mentor_note.enqueue, pair.pk))
    return True


def pairs_escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Climb the escalation ladder for every quiet pair (run daily): no meeting for the
    programme's number of days, a nudge to both; nothing for some more days, a note to the
    mentor; then an alert for the programme team. Each step once per quiet spell; paused
    pairs and pairs with a meeting planned are left alone. Returns the steps taken."""
    now = now or timezone.now()
    taken_now = dict.fromkeys(LADDER, 0)
    pairs = (
        Pair.objects.active()
        .select_related("programme")
        .prefetch_related(
            Prefetch("meetings", Meeting.objects.filter(cancelled_at__isnull=True)),
            "pauses",
            "escalations",
        )
    )
    ladders = {s.programme_id: s for s in SupportSettings.objects.all()}
    for pair in pairs:
        ladder = ladders.get(pair.programme_id) or SupportSettings()
        if not ladder.nudge_after_days or current_pause(pair, now) is not None:
            continue
        if any(m.starts_at >= now for m in pair.meetings.all()):
            continue
        since = quiet_since(pair, now)
        taken = {e.step: e for e in pair.escalations.all() if e.quiet_since == since}
        step = next((s for s in LADDER if s not in taken), None)
        if step is not None and _step_due(step, taken, since, now, ladder):
            if escalation_take(pair=pair, step=step, quiet_since=since, now=now):
                taken_now[step] += 1
    return {str(step): n for step, n in taken_now.items()}
