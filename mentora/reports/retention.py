"""Retention of a programme's participants against matched colleagues who did not take part.

Everyone who started is followed (intention to treat) and compared with a colleague
matched on level band and hire date within a caliper (``retention_cohort``). The
difference is tested within the matched sets: a log-rank test stratified on the sets and
a Cox model with standard errors clustered on them. Every count passes
``mentora.stats.anonymity`` first; the curves stop where fewer than five people remain at
risk, and the balance table shows standardised differences only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mentora import stats as st
from mentora.programmes.models import Participant, ParticipantEvent, Programme
from mentora.relationships.models import Pair
from mentora.reports.retention_cohort import (
    CALIPER_DAYS,
    Cohort,
    Employee,
    MatchedSet,
    cohort,
)
from mentora.stats.anonymity import can_show
from mentora.surveys.models import MINIMUM_GROUP, Audience

DAYS_PER_MONTH = 30.44
DAYS_PER_YEAR = 365.25
AT_RISK_MONTHS = (0, 6, 12, 18, 24, 30, 36)


@dataclass
class RetentionGroup:
    label: str
    n: int
    curve: st.SurvivalCurve | None
    at_risk: list[tuple[int, int | None]]


@dataclass
class BalanceRow:
    """One attribute used for matching: standardised differences before and after."""

    attribute: str
    before: st.StandardisedDifference
    after: st.StandardisedDifference


@dataclass
class RoleRetention:
    """Mentees (or mentors) in their matched sets."""

    role: str
    participants: RetentionGroup
    comparison: RetentionGroup
    leavers: tuple[int, int] | None
    logrank: st.LogRank | None
    cox: st.CoxModel | None = None


@dataclass
class Retention:
    participants: RetentionGroup
    comparison: RetentionGroup
    # Log-rank test stratified on the matched sets, and the Cox model's hazard ratio with
    # standard errors clustered on them.
    logrank: st.LogRank | None
    origin: dt.date | None
    reason: str | None
    by_role: list[RoleRetention] = field(default_factory=list)
    cox: st.CoxModel | None = None
    started: int = 0
    unmatched: int = 0
    balance: list[BalanceRow] = field(default_factory=list)
    caliper_days: int = CALIPER_DAYS

    @property
    def hazard(self) -> st.CoxTerm | None:
        return self.cox.terms[0] if self.cox is not None and self.cox.terms else None


def _follow_up(index: dt.date, leave: dt.date | None, today: dt.date) -> tuple[float, bool]:
    """Months from ``index`` to leaving, or to ``today`` (censored) for those still here."""
    if leave is not None and leave <= today:
        return max(0.0, (leave - index).days / DAYS_PER_MONTH), True
    return max(0.0, (today - index).days / DAYS_PER_MONTH), False


@dataclass
class _Arm:
    durations: np.ndarray
    events: np.ndarray


def _arms(sets: Sequence[MatchedSet], today: dt.date) -> tuple[_Arm, _Arm]:
    mine = [_follow_up(s.participant.index, s.participant.employee.left, today) for s in sets]
    theirs = [_follow_up(s.participant.index, s.control.left, today) for s in sets]

    def arm(rows: list[tuple[float, bool]]) -> _Arm:
        return _Arm(
            np.array([d for d, _e in rows], dtype=float), np.array([e for _d, e in rows], bool)
        )

    return arm(mine), arm(theirs)


def _grid(*arms: _Arm) -> list[int]:
    # One grid for both groups, so that the table of numbers at risk lines up.
    horizon = max((float(a.durations.max()) for a in arms if a.durations.size), default=0.0)
    return [m for m in AT_RISK_MONTHS if m <= horizon]


def _group(label: str, arm: _Arm, grid: list[int]) -> RetentionGroup:
    n = int(arm.durations.size)
    if not can_show(n, MINIMUM_GROUP):
        return RetentionGroup(label, n, None, [])
    curve = st.kaplan_meier(arm.durations, arm.events)
    at_risk = []
    if grid:
        for month, count in zip(
            grid, st.kaplan_meier(arm.durations, arm.events, timeline=grid).at_risk, strict=True
        ):
            at_risk.append((month, count if can_show(count, MINIMUM_GROUP) else None))
    return RetentionGroup(label, n, curve, at_risk)


def _tests(sets: Sequence[MatchedSet], mine: _Arm, theirs: _Arm) -> tuple[st.LogRank, st.CoxModel]:
    """Tests that respect the matching: each set is a stratum of the log-rank test and a
    cluster of the Cox model's robust standard errors."""
    numbers = np.array([s.number for s in sets])
    durations = np.concatenate((mine.durations, theirs.durations))
    events = np.concatenate((mine.events, theirs.events))
    participant = np.r_[np.ones(len(sets)), np.zeros(len(sets))]
    strata = np.concatenate((numbers, numbers))
    logrank = st.stratified_logrank_test(durations, events, participant, strata)
    cox = st.cox_regression(durations, events, participant, names=("participant",), clusters=strata)
    return logrank, cox


def _tenure(employee: Employee, day: dt.date) -> float:
    return (day - employee.hired).days / DAYS_PER_YEAR


def _level(employee: Employee) -> float:
    return float("nan") if employee.level is None else float(employee.level)


def balance(found: Cohort, origin: dt.date) -> list[BalanceRow]:
    """Standardised differences of every attribute used for matching: all who started
    against every eligible colleague (before), and the matched sets (after)."""
    rows = []
    attributes = (
        (
            _("Years of service when starting"),
            lambda s: _tenure(s.employee, s.index),
            lambda e, day: _tenure(e, day),
        ),
        (_("Level"), lambda s: _level(s.employee), lambda e, _day: _level(e)),
    )
    for label, starter_value, colleague_value in attributes:
        before = st.standardised_difference(
            [starter_value(s) for s in found.starters],
            [colleague_value(e, origin) for e in found.pool],
        )
        after = st.standardised_difference(
            [starter_value(m.participant) for m in found.sets],
            [colleague_value(m.control, m.participant.index) for m in found.sets],
        )
        rows.append(BalanceRow(str(label), before, after))
    return rows


def _compare(
    label: str, sets: Sequence[MatchedSet], today: dt.date
) -> tuple[
    RetentionGroup, RetentionGroup, tuple[int, int] | None, st.LogRank | None, st.CoxModel | None
]:
    mine, theirs = _arms(sets, today)
    grid = _grid(mine, theirs)
    ours, others = _group(label, mine, grid), _group("comparison", theirs, grid)
    if ours.curve is None or others.curve is None:
        return ours, others, None, None, None
    logrank, cox = _tests(sets, mine, theirs)
    return ours, others, (int(mine.events.sum()), int(theirs.events.sum())), logrank, cox


# Retention is the costliest part of a report (it reads the whole organisation's hire
# dates), and the same for every viewer: each process keeps it until what it is computed
# from changes, and at most this long.
CACHE_SECONDS = 3600


def retention(programme: Programme, today: dt.date | None = None) -> Retention:
    """The programme's retention on ``today``, computed once per state of its inputs."""
    today = today or timezone.localdate()
    key = f"retention:{programme.pk}:{_inputs(programme, today)}"
    found = cache.get(key)
    if not isinstance(found, Retention):
        found = _retention(programme, today)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _inputs(programme: Programme, today: dt.date) -> str:
    """A fingerprint of everything retention reads: the day, the language of its labels,
    the programme's first day, its participants, their steps and pairs, and the
    organisation's employment records (a hire, a leave or a level changed moves a count,
    a sum or a latest date)."""
    people = programme.organisation.people.aggregate(
        n=Count("pk"),
        hired=Count("hire_date"),
        left=Count("leave_date"),
        latest_hire=Max("hire_date"),
        latest_leave=Max("leave_date"),
        levels=Sum("level"),
        last=Max("pk"),
    )
    taking_part = Participant.objects.filter(programme=programme).aggregate(
        n=Count("pk"), last=Max("pk"), changed=Max("status_changed_at")
    )
    steps = ParticipantEvent.objects.filter(participant__programme=programme).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    pairs = Pair.objects.filter(programme=programme).aggregate(n=Count("pk"), last=Max("pk"))
    parts = [today, get_language(), programme.began_on()]
    for figures in (people, taking_part, steps, pairs):
        parts.extend(figures[name] for name in sorted(figures))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _retention(programme: Programme, today: dt.date) -> Retention:
    # A rolling programme counts from its first day; everyone joins later and is followed
    # from their own match (see retention_cohort).
    origin = programme.began_on()
    empty = RetentionGroup("", 0, None, [])
    if origin is None or origin >= today:
        return Retention(empty, empty, None, origin, "the programme has not started")
    found = cohort(programme, origin, today)
    ours, others, _leavers, logrank, cox = _compare("participants", found.sets, today)
    by_role = []
    for role in ("mentee", "mentor"):
        sets = [s for s in found.sets if role in s.participant.roles]
        mine, theirs, leavers, role_logrank, role_cox = _compare(role, sets, today)
        by_role.append(
            RoleRetention(
                role=str(Audience(role).label),
                participants=mine,
                comparison=theirs,
                leavers=leavers,
                logrank=role_logrank,
                cox=role_cox,
            )
        )
    shown = ours.curve is not None and others.curve is not None
    return Retention(
        participants=ours,
        comparison=others,
        logrank=logrank,
        origin=origin,
        reason=None if shown else "fewer than five people in a group",
        by_role=by_role,
        cox=cox,
        started=len(found.starters),
        unmatched=found.unmatched,
        # Only standardised differences, and only where the groups themselves are shown.
        balance=balance(found, origin) if shown else [],
    )


def visible_curve(curve: st.SurvivalCurve) -> list[tuple[float, float, float, float, int]]:
    """The curve's points (time, survival, lower, upper, at risk) while at least five
    people are at risk: the curve stops there, as small tails identify people."""
    return [
        (t, s, low, high, r)
        for t, s, low, high, r in zip(
            curve.times, curve.survival, curve.ci_low, curve.ci_high, curve.at_risk, strict=True
        )
        if r >= MINIMUM_GROUP
    ]
