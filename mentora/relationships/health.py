"""Relationship health from facts only: meetings held against the agreement, time since
the last meeting, the trend of ratings, goals touched. Never from what the pair wrote."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mentora.people.models import label_related
from mentora.relationships.models import (
    Agreement,
    Escalation,
    EscalationStep,
    Goal,
    Meeting,
    Pair,
    Pause,
)

# A pair that has not met for this long needs attention; twice as long, help.
QUIET_DAYS = 45
DROOP_WINDOW = (0.35, 0.65)


@dataclass
class Health:
    pair: Pair
    light: str  # "green", "amber" or "red"
    held: int
    expected: float
    days_since_last: int | None
    rating_trend: float | None
    goals_touched: bool
    midway: bool
    elapsed: float
    # Days since the last meeting held, or since the start when none was.
    quiet_days: int = 0
    # The pause in force, if any: a paused pair is not at risk and gets no nudges.
    paused: Pause | None = None
    # The last step of the escalation ladder taken in the current quiet spell, if any.
    step: Escalation | None = None
    reasons: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)

    @property
    def at_risk(self) -> bool:
        return self.light != "green"

    @property
    def alerted(self) -> bool:
        """Whether the ladder has reached the programme team for this quiet spell."""
        return self.step is not None and self.step.step == EscalationStep.MANAGER_ALERT


def _ratings(meetings: list[Any]) -> list[float]:
    values = []
    for meeting in meetings:
        given = [r for r in (meeting.mentee_rating, meeting.mentor_rating) if r]
        if given:
            values.append(sum(given) / len(given))
    return values


def held_meetings(pair: Pair, now: dt.datetime) -> list[Meeting]:
    """The pair's meetings that took place: planned before `now`, not cancelled, and not
    reported by a check-in as not having happened."""
    return [
        m
        for m in pair.meetings.all()
        if m.cancelled_at is None and m.starts_at < now and m.happened is not False
    ]


def current_pause(pair: Pair, now: dt.datetime) -> Pause | None:
    """The pause the pair is on at `now`, if any (from `pair.pauses`, prefetched or not)."""
    today = timezone.localdate(now)
    for pause in pair.pauses.all():
        if pause.ended_at is None and pause.starts_on <= today <= pause.until:
            return pause
    return None


def quiet_since(pair: Pair, now: dt.datetime) -> dt.datetime:
    """When the pair's current quiet spell began: its last meeting held, its start, or its
    return from its last pause, whichever is latest."""
    moments = [pair.started_at, *(m.starts_at for m in held_meetings(pair, now))]
    today = timezone.localdate(now)
    for pause in pair.pauses.all():
        back = pause.last_day + dt.timedelta(days=1)
        if pause.starts_on <= today and back <= today:
            moments.append(
                timezone.make_aware(
                    dt.datetime.combine(back, dt.time()), timezone.get_current_timezone()
                )
            )
    return max(moments)


def pair_health(pair: Pair, *, now: dt.datetime | None = None) -> Health:
    now = now or timezone.now()
    meetings = [m for m in pair.meetings.all() if m.cancelled_at is None]
    held = held_meetings(pair, now)
    missed = [m for m in meetings if m.starts_at < now and m.happened is False]
    upcoming = [m for m in meetings if m.starts_at >= now]
    agreements = sorted(pair.agreements.all(), key=lambda a: -a.version)
    agreement = agreements[0] if agreements else None
    start = pair.started_at
    end = (
        dt.datetime.combine(agreement.end_date, dt.time(), tzinfo=dt.UTC)
        if agreement
        else start + dt.timedelta(days=300)
    )
    span = max((end - start).total_seconds(), 1.0)
    elapsed = min(max((now - start).total_seconds() / span, 0.0), 1.0)
    planned = agreement.planned_meetings if agreement else 8
    expected = planned * elapsed
    last = max((m.starts_at for m in held), default=None)
    days_since_last = (now - last).days if last else None
    since = quiet_since(pair, now)
    quiet_days = (now - since).days
    paused = current_pause(pair, now)
    # The ladder's steps taken in this quiet spell; a meeting planned or a pause puts the
    # ladder on hold, so nothing is waiting on the programme team then.
    steps = [e for e in pair.escalations.all() if e.quiet_since == since]
    step = steps[-1] if steps and not upcoming and paused is None else None
    ratings = _ratings(sorted(held, key=lambda m: m.starts_at))
    trend = None
    if len(ratings) >= 3:
        trend = sum(ratings[-2:]) / 2 - sum(ratings[:-2]) / len(ratings[:-2])
    goals = list(pair.goals.all())
    goals_touched = any(g.updated_at > now - dt.timedelta(days=60) for g in goals)
    midway = DROOP_WINDOW[0] <= elapsed <= DROOP_WINDOW[1]

    reasons: list[str] = []
    actions: list[str] = []
    score = 0
    if agreement is None and (now - start).days > 21:
        score += 1
        reasons.append(_("No agreement after three weeks."))
        actions.append(_("Ask the pair to write and sign their agreement at the next meeting."))
    elif agreement is not None and not agreement.is_signed:
        reasons.append(_("The agreement is not signed by both."))
    if quiet_days >= 2 * QUIET_DAYS:
        score += 2
        reasons.append(_("No meeting for %(days)s days.") % {"days": quiet_days})
        actions.append(_("Call both of them; offer a rematch if it does not work."))
    elif quiet_days >= QUIET_DAYS:
        score += 1
        reasons.append(_("No meeting for %(days)s days.") % {"days": quiet_days})
        actions.append(_("Send a nudge with the conversation toolbox."))
    if expected >= 2 and len(held) < 0.5 * expected:
        score += 1
        reasons.append(
            _("%(held)s of about %(expected)s planned meetings held so far.")
            % {"held": len(held), "expected": round(expected)}
        )
        actions.append(_("Check in with the pair about time and priorities."))
    if trend is not None and trend <= -1:
        score += 1
        reasons.append(_("Meeting ratings are falling."))
        actions.append(_("Follow up individually with the mentee and the mentor."))
    if goals and not goals_touched and elapsed > 0.25:
        reasons.append(_("No learning theme updated for two months."))
        actions.append(_("Suggest revisiting the learning themes."))
    if midway and (quiet_days >= 30 or (trend is not None and trend < 0)):
        score += 1
        reasons.append(_("Midway droop: the middle of a programme is where topics run out."))
        actions.append(_("Invite them to a master class or a peer-group meeting."))
    last_planned = max(
        (m for m in meetings if m.starts_at < now), key=lambda m: m.starts_at, default=None
    )
    if last_planned is not None and last_planned in missed:
        score += 1
        reasons.append(_("The last planned meeting did not happen."))
        actions.append(_("Ask the pair whether their meeting times still work for them."))
    if not upcoming and held and pair.is_active:
        reasons.append(_("No next meeting planned."))
    if paused is not None:
        # A pause is agreed time off: nothing to chase until the return date.
        score = 0
        actions = []
        reasons.insert(
            0,
            _("Paused until %(date)s (%(reason)s).")
            % {"date": formats.date_format(paused.until), "reason": paused.get_reason_display()},
        )
    light = "green" if score == 0 else ("amber" if score == 1 else "red")
    return Health(
        pair=pair,
        light=light,
        held=len(held),
        expected=expected,
        days_since_last=days_since_last,
        rating_trend=trend,
        goals_touched=goals_touched,
        midway=midway,
        elapsed=elapsed,
        quiet_days=quiet_days,
        paused=paused,
        step=step,
        reasons=reasons,
        actions=actions,
    )


def with_health_facts(pairs: Any) -> Any:
    """`pairs` with everything their health is computed from, in a fixed number of queries
    however many pairs there are."""
    return pairs.select_related(
        *label_related("mentee__person"), *label_related("mentor__person")
    ).prefetch_related(
        # Only the facts: what the pair wrote is never even loaded.
        Prefetch(
            "meetings",
            Meeting.objects.only(
                "pair_id",
                "starts_at",
                "cancelled_at",
                "happened",
                "mentee_rating",
                "mentor_rating",
            ),
        ),
        Prefetch(
            "agreements",
            Agreement.objects.only(
                "pair_id",
                "version",
                "planned_meetings",
                "end_date",
                "mentee_signed_at",
                "mentor_signed_at",
            ),
        ),
        Prefetch("goals", Goal.objects.only("pair_id", "updated_at")),
        "follow_ups",
        "pauses",
        "escalations",
    )


def _pairs_with_facts(programmes: Any) -> Any:
    """Active pairs of `programmes` with everything their health is computed from."""
    return with_health_facts(Pair.objects.active().filter(programme__in=programmes))


def programme_health(programme: Any, *, now: dt.datetime | None = None) -> list[Health]:
    """Every active pair's health, those at risk first."""
    pairs = _pairs_with_facts([programme])
    order = {"red": 0, "amber": 1, "green": 2}
    return sorted(
        (pair_health(p, now=now) for p in pairs),
        key=lambda h: (order[h.light], h.pair.mentee.person.last_name),
    )


def programmes_health(
    programmes: Any, *, now: dt.datetime | None = None
) -> dict[int, list[Health]]:
    """The health of every active pair of several programmes at once, by programme id."""
    by_programme: dict[int, list[Health]] = {}
    for pair in _pairs_with_facts(programmes):
        by_programme.setdefault(pair.programme_id, []).append(pair_health(pair, now=now))
    return by_programme
