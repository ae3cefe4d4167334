"""Retention of a programme's participants against matched colleagues who did not take part.

Every count passes ``mentora.stats.anonymity`` first; the curves stop where fewer than
five people remain at risk.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Q
from django.utils import timezone

from mentora import stats as st
from mentora.programmes.models import Participant, Programme
from mentora.stats.anonymity import can_show
from mentora.surveys.models import MINIMUM_GROUP, Audience
from mentora.surveys.services import TAKING_PART

DAYS_PER_MONTH = 30.44
AT_RISK_MONTHS = (0, 6, 12, 18, 24, 30, 36)


@dataclass
class RetentionGroup:
    label: str
    n: int
    curve: st.SurvivalCurve | None
    at_risk: list[tuple[int, int | None]]


@dataclass
class RoleRetention:
    """Mentees (or mentors) against their own matched colleagues."""

    role: str
    participants: RetentionGroup
    comparison: RetentionGroup
    leavers: tuple[int, int] | None
    logrank: st.LogRank | None


@dataclass
class Retention:
    participants: RetentionGroup
    comparison: RetentionGroup
    logrank: st.LogRank | None
    origin: dt.date | None
    reason: str | None
    by_role: list[RoleRetention] = field(default_factory=list)


def _band(level: int | None) -> int | None:
    # Levels 1-3, 4-6, 7-9 ...: close enough in seniority to compare staying on.
    return None if level is None else (level - 1) // 3


def _duration(origin: dt.date, leave: dt.date | None, today: dt.date) -> tuple[float, bool]:
    if leave is not None and leave <= today:
        return max(0.0, (leave - origin).days / DAYS_PER_MONTH), True
    return max(0.0, (today - origin).days / DAYS_PER_MONTH), False


def matched_comparison(
    programme: Programme, origin: dt.date, roles: tuple[str, ...] = ("mentee", "mentor")
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Participants and, for each, the non-participant hired nearest in time at a similar level.

    Both groups must have been employed on the programme's start date. Rows are
    (person id, hire date, leave date). Matching is without replacement.
    """
    participant_people = list(
        Participant.objects.filter(programme=programme, role__in=roles, status__in=TAKING_PART)
        .filter(person__hire_date__isnull=False, person__hire_date__lte=origin)
        .filter(Q(person__leave_date__isnull=True) | Q(person__leave_date__gt=origin))
        .values_list("person_id", "person__hire_date", "person__leave_date", "person__level")
        .distinct()
    )
    taking_part = set(
        Participant.objects.filter(programme=programme).values_list("person_id", flat=True)
    )
    candidates = [
        row
        for row in programme.organisation.people.filter(
            hire_date__isnull=False, hire_date__lte=origin
        )
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=origin))
        .values_list("pk", "hire_date", "leave_date", "level")
        if row[0] not in taking_part
    ]
    # Per level band, candidates sorted by hire date: the nearest is found by bisection and
    # removed once chosen, so matching stays fast for thousands of participants.
    pools: dict[int | None, list[tuple[int, int, Any]]] = defaultdict(list)
    for pk, hired, left, level in candidates:
        if hired is not None:  # filtered in the query; narrows the type
            pools[_band(level)].append((hired.toordinal(), pk, left))
    for pool in pools.values():
        pool.sort()
    participants, controls = [], []
    seen: set[int] = set()
    for person_id, hired, left, level in sorted(participant_people, key=lambda r: (r[1], r[0])):
        if person_id in seen:
            continue
        seen.add(person_id)
        participants.append((person_id, hired, left))
        band = pools.get(_band(level))
        if not band or hired is None:
            continue
        pool = band
        day = hired.toordinal()
        at = bisect.bisect_left(pool, (day, -1))
        options = [i for i in (at - 1, at) if 0 <= i < len(pool)]
        best = min(options, key=lambda i: (abs(pool[i][0] - day), pool[i][1]))
        chosen_day, chosen_pk, chosen_left = pool.pop(best)
        controls.append((chosen_pk, dt.date.fromordinal(chosen_day), chosen_left))
    return participants, controls


def _group(
    label: str, rows: list[tuple[Any, ...]], origin: dt.date, today: dt.date
) -> tuple[RetentionGroup, np.ndarray, np.ndarray]:
    durations = np.array([_duration(origin, r[2], today)[0] for r in rows], dtype=float)
    events = np.array([_duration(origin, r[2], today)[1] for r in rows], dtype=bool)
    if not can_show(len(rows), MINIMUM_GROUP):
        return RetentionGroup(label, len(rows), None, []), durations, events
    horizon = float(durations.max()) if durations.size else 0.0
    grid = [m for m in AT_RISK_MONTHS if m <= horizon]
    curve = st.kaplan_meier(durations, events)
    at_risk_curve = st.kaplan_meier(durations, events, timeline=grid) if grid else None
    at_risk = []
    if at_risk_curve is not None:
        for month, n in zip(grid, at_risk_curve.at_risk, strict=True):
            at_risk.append((month, n if can_show(n, MINIMUM_GROUP) else None))
    return RetentionGroup(label, len(rows), curve, at_risk), durations, events


def retention(programme: Programme, today: dt.date | None = None) -> Retention:
    today = today or timezone.localdate()
    origin = programme.start_date
    empty = RetentionGroup("", 0, None, [])
    if origin is None or origin >= today:
        return Retention(empty, empty, None, origin, "the programme has not started")
    participants, controls = matched_comparison(programme, origin)
    p_group, p_d, p_e = _group("participants", participants, origin, today)
    c_group, c_d, c_e = _group("comparison", controls, origin, today)
    test = None
    reason = None
    if p_group.curve is not None and c_group.curve is not None:
        test = st.logrank_test(p_d, p_e, c_d, c_e)
    else:
        reason = "fewer than five people in a group"
    by_role = []
    for role in ("mentee", "mentor"):
        mine, theirs = matched_comparison(programme, origin, (role,))
        r_group, r_d, r_e = _group(role, mine, origin, today)
        m_group, m_d, m_e = _group("comparison", theirs, origin, today)
        shown = r_group.curve is not None and m_group.curve is not None
        by_role.append(
            RoleRetention(
                role=str(Audience(role).label),
                participants=r_group,
                comparison=m_group,
                leavers=(int(r_e.sum()), int(m_e.sum())) if shown else None,
                logrank=st.logrank_test(r_d, r_e, m_d, m_e) if shown else None,
            )
        )
    return Retention(p_group, c_group, test, origin, reason, by_role)


def visible_curve(curve: st.SurvivalCurve) -> list[tuple[float, float]]:
    """The curve's points while at least five people are at risk (small tails identify)."""
    return [
        (t, s)
        for t, s, r in zip(curve.times, curve.survival, curve.at_risk, strict=True)
        if r >= MINIMUM_GROUP
    ]
