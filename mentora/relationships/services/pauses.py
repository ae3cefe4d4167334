"""A pair on pause: a member sets a return date (holiday, parental leave, busy season).
Paused pairs get no nudges and do not count as at risk; the partner and the programme team
see the fact, with its return date and kind of reason."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.relationships import tasks
from mentora.relationships.models import Pair, Pause, PauseReason
from mentora.relationships.services.workspace import _member_side

# The longest pause one can set at once; a longer absence is a matter for the programme team.
LONGEST_PAUSE_DAYS = 365


@transaction.atomic
def pause_start(
    *,
    pair: Pair,
    actor: Any,
    until: dt.date,
    reason: str,
    starts_on: dt.date | None = None,
) -> Pause:
    """Pause the pair from `starts_on` (today if not given) to `until`, its return date."""
    side = _member_side(pair, actor)
    today = timezone.localdate()
    starts_on = starts_on or today
    if reason not in PauseReason.values:
        raise ValidationError(_("Choose the reason for the pause."))
    if starts_on < today:
        raise ValidationError(_("A pause cannot start in the past."))
    if until < starts_on:
        raise ValidationError(_("The return date must come after the start of the pause."))
    if until > today + dt.timedelta(days=LONGEST_PAUSE_DAYS):
        raise ValidationError(
            _("A pause can last at most a year; talk with the programme manager about longer.")
        )
    Pair.objects.select_for_update().filter(pk=pair.pk).first()
    overlapping = Pause.objects.filter(
        pair=pair, ended_at__isnull=True, starts_on__lte=until, until__gte=starts_on
    )
    if overlapping.exists():
        raise ValidationError(_("The pair is already paused for part of that time."))
    pause = Pause.objects.create(
        pair=pair,
        participant=getattr(pair, side),
        starts_on=starts_on,
        until=until,
        reason=reason,
    )
    audit_log(
        actor=actor,
        action="relationships.pause.start",
        obj=pause,
        programme=pair.programme,
        changes={"from": starts_on.isoformat(), "until": until.isoformat(), "reason": reason},
    )
    transaction.on_commit(partial(tasks.send_pause_notice.enqueue, pause.pk))
    return pause


@transaction.atomic
def pause_end(*, pause: Pause, actor: Any) -> Pause:
    """Resume before the return date: either member may end the pause."""
    _member_side(pause.pair, actor)
    if pause.ended_at is not None or pause.until < timezone.localdate():
        raise ValidationError(_("This pause is already over."))
    pause.ended_at = timezone.now()
    pause.save(update_fields=["ended_at"])
    audit_log(
        actor=actor,
        action="relationships.pause.end",
        obj=pause,
        programme=pause.pair.programme,
    )
    return pause
