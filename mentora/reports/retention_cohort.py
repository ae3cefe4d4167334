"""Who is followed for retention, and the matched colleagues they are compared with.

Intention to treat: everyone who *started* stays in the participant group, whatever
happened afterwards. Leaving out people who withdrew (often because they left the
employer) would keep only those who stayed, and make any programme look good.

A participant started when they were taking part on the programme's start date, or
joined later and were matched (paired). Someone who joined later is followed from the
day they were first matched, not from the programme's start, or the months before they
joined would count as months they were sure to stay (immortal time).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from mentora.programmes.models import Participant, ParticipantEvent, ParticipantStatus, Programme
from mentora.relationships.models import Pair
from mentora.surveys.services import TAKING_PART

S = ParticipantStatus
# Statuses that prove a participant was matched with someone at some point.
PAIRED = frozenset({S.MATCHED, S.ACTIVE, S.COMPLETED})
# A comparison colleague's hire date may differ from the participant's by at most this
# many days: about half a year, so that a graduate is never compared with someone who
# had already had a year in the job. Participants with nobody this close (in the same
# level band, employed on the day they started) are counted as unmatched and left out of
# the comparison rather than matched badly.
CALIPER_DAYS = 180


@dataclass(frozen=True)
class Employee:
    person_id: int
    hired: dt.date
    left: dt.date | None
    level: int | None

    def employed_on(self, day: dt.date) -> bool:
        return self.hired <= day and (self.left is None or self.left > day)


@dataclass(frozen=True)
class Starter:
    """A participant who started, followed from ``index`` (the programme's start or their
    first match)."""

    employee: Employee
    index: dt.date
    roles: frozenset[str]


@dataclass(frozen=True)
class MatchedSet:
    """A participant and the colleague they are compared with, both followed from the
    participant's ``index`` date."""

    number: int
    participant: Starter
    control: Employee


@dataclass
class Cohort:
    starters: list[Starter]  # everyone who started and was employed when they started
    pool: list[Employee]  # colleagues outside the programme employed at its start
    sets: list[MatchedSet]

    @property
    def unmatched(self) -> int:
        return len(self.starters) - len(self.sets)


def level_band(level: int | None) -> int | None:
    # Levels 1-3, 4-6, 7-9 ...: close enough in seniority to compare staying on.
    return None if level is None else (level - 1) // 3


class _Row(NamedTuple):
    """The fields of a participant and their person that retention reads."""

    pk: int
    created_at: dt.datetime
    status: str
    status_changed_at: dt.datetime
    role: str
    person_id: int
    person__hire_date: dt.date | None
    person__leave_date: dt.date | None
    person__level: int | None


class _Event(NamedTuple):
    participant_id: int
    at: dt.datetime
    from_status: str
    to_status: str


def _status_at(participant: _Row, events: list[_Event], day: dt.date) -> str | None:
    """The participant's status at the end of ``day``, from their history; ``None`` if
    they were not yet a participant. Without any history the present status is taken as
    the status they have had since they were added."""
    if timezone.localdate(participant.created_at) > day:
        return None
    before = [e for e in events if timezone.localdate(e.at) <= day]
    if before:
        return str(before[-1].to_status)
    if events:
        return str(events[0].from_status) or None
    return str(participant.status)


def _first_paired(
    participant: _Row, events: list[_Event], pairs: list[dt.datetime]
) -> dt.date | None:
    """The first day the participant is known to have been matched, or ``None``."""
    days = [timezone.localdate(at) for at in pairs]
    days += [timezone.localdate(e.at) for e in events if e.to_status in PAIRED]
    # The status before a step proves the participant had it when the step was taken.
    days += [timezone.localdate(e.at) for e in events if e.from_status in PAIRED]
    if not days and participant.status in PAIRED:
        days.append(timezone.localdate(participant.status_changed_at))
    return min(days) if days else None


def starters(programme: Programme, origin: dt.date, today: dt.date) -> list[Starter]:
    """Everyone who started (see the module's docstring), with their index date, whatever
    their status now; only people with a hire date, employed on their index date, and
    with an index date before ``today``."""
    # Plain rows rather than model instances: a large programme has thousands of each.
    participants = [
        _Row(*row)
        for row in Participant.objects.filter(programme=programme, role__in=("mentee", "mentor"))
        .order_by("pk")
        .values_list(*_Row._fields)
    ]
    events: dict[int, list[_Event]] = defaultdict(list)
    for event in (
        ParticipantEvent.objects.filter(participant__programme=programme)
        .order_by("at", "pk")
        .values_list(*_Event._fields)
    ):
        events[event[0]].append(_Event(*event))
    pairs: dict[int, list[dt.datetime]] = defaultdict(list)
    for mentee, mentor, started in Pair.objects.filter(programme=programme).values_list(
        "mentee_id", "mentor_id", "started_at"
    ):
        pairs[mentee].append(started)
        pairs[mentor].append(started)
    found: dict[int, tuple[Employee, dt.date, set[str]]] = {}
    for p in participants:
        history = events[p.pk]
        if _status_at(p, history, origin) in TAKING_PART:
            index: dt.date | None = origin
        else:
            paired = _first_paired(p, history, pairs[p.pk])
            index = None if paired is None else max(origin, paired)
        if index is None or index >= today or p.person__hire_date is None:
            continue
        employee = Employee(p.person_id, p.person__hire_date, p.person__leave_date, p.person__level)
        if not employee.employed_on(index):
            continue
        # One person in two roles is one person followed, from the earlier of the two.
        if p.person_id in found:
            _same, earlier, roles = found[p.person_id]
            roles.add(p.role)
            found[p.person_id] = (employee, min(index, earlier), roles)
        else:
            found[p.person_id] = (employee, index, {p.role})
    return [
        Starter(employee, index, frozenset(roles))
        for employee, index, roles in sorted(
            found.values(), key=lambda v: (v[0].hired, v[0].person_id)
        )
    ]


def comparison_pool(programme: Programme, origin: dt.date) -> list[Employee]:
    """Colleagues of the programme's organisation who had no part in it (not even
    invited), with a hire date, employed when it started."""
    involved = set(
        Participant.objects.filter(programme=programme).values_list("person_id", flat=True)
    )
    rows = (
        programme.organisation.people.filter(hire_date__isnull=False, hire_date__lte=origin)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=origin))
        .exclude(pk__in=involved)
        .values_list("pk", "hire_date", "leave_date", "level")
        .order_by("pk")
    )
    # The query leaves out people without a hire date; the check narrows the type.
    return [Employee(pk, hired, left, level) for pk, hired, left, level in rows if hired]


def match(found: list[Starter], pool: list[Employee]) -> list[MatchedSet]:
    """For each starter in order of hire date, the colleague in the same level band with
    the nearest hire date within ``CALIPER_DAYS``, employed on the starter's index date.
    Without replacement: a colleague is used once. Ties go to the lower person id."""
    bands: dict[int | None, list[tuple[int, int, Employee]]] = defaultdict(list)
    for colleague in pool:
        bands[level_band(colleague.level)].append(
            (colleague.hired.toordinal(), colleague.person_id, colleague)
        )
    for band in bands.values():
        band.sort(key=lambda row: (row[0], row[1]))
    sets: list[MatchedSet] = []
    for starter in found:
        band = bands.get(level_band(starter.employee.level), [])
        day = starter.employee.hired.toordinal()
        # Candidates within the caliper form one slice of the band sorted by hire date.
        low = bisect.bisect_left(band, day - CALIPER_DAYS, key=lambda row: row[0])
        high = bisect.bisect_right(band, day + CALIPER_DAYS, key=lambda row: row[0])
        best = _nearest(band, low, high, day, starter.index)
        if best is None:
            continue
        sets.append(MatchedSet(len(sets), starter, band.pop(best)[2]))
    return sets


def _nearest(
    band: list[tuple[int, int, Employee]], low: int, high: int, day: int, index: dt.date
) -> int | None:
    """The position in ``band[low:high]`` of the colleague hired nearest to ``day`` who was
    employed on ``index``, the lower person id among equally near ones. Walks outwards
    from ``day``, so a large band costs only the few rows nearest to it."""
    right = bisect.bisect_left(band, day, lo=low, hi=high, key=lambda row: row[0])
    left = right - 1
    while left >= low or right < high:
        near = min(
            day - band[left][0] if left >= low else math.inf,
            band[right][0] - day if right < high else math.inf,
        )
        found = []
        while left >= low and day - band[left][0] == near:
            if band[left][2].employed_on(index):
                found.append(left)
            left -= 1
        while right < high and band[right][0] - day == near:
            if band[right][2].employed_on(index):
                found.append(right)
            right += 1
        if found:
            return min(found, key=lambda i: band[i][1])
    return None


def cohort(programme: Programme, origin: dt.date, today: dt.date) -> Cohort:
    found = starters(programme, origin, today)
    pool = comparison_pool(programme, origin)
    return Cohort(found, pool, match(found, pool))
