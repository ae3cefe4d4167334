"""An organisation's outcomes across its programmes, for its admins and sponsors.

One row per programme: its phase, goals met of those measured, how many take part, how
many are still employed a year after the start, and the NPS at the end. Every figure comes
from the programme's own report, so it has passed that report's disclosure control; the
participant counts of the rows are suppressed together with their total, so no hidden
count can be worked out by subtraction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.programmes.models import Participant, Programme
from mentora.reports.aggregates import build_report
from mentora.reports.summary import Result, Verdict, end_nps, retention_at, summarise
from mentora.stats.anonymity import TOTAL, suppress
from mentora.surveys.models import MINIMUM_GROUP
from mentora.surveys.services import TAKING_PART

# Retention a year after the start: long enough to mean something, short enough to be known
# for most programmes that have ended.
RETENTION_MONTHS = 12


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    phase: str
    goals_met: int
    goals_measured: int
    taking_part: int | None
    retention: Result | Verdict
    nps: Result | Verdict


@dataclass(frozen=True)
class Outcomes:
    rows: list[ProgrammeRow]
    taking_part: int | None
    goals_met: int
    goals_measured: int


def phase(programme: Programme, today: dt.date) -> str:
    if not programme.has_begun(today):
        return _("Not started")
    if programme.end_date is not None and programme.end_date < today:
        return _("Ended")
    # A rolling programme has no end: it runs for as long as people join.
    return _("Running, rolling intake") if programme.rolling else _("Running")


def outcomes(programmes: Sequence[Programme], *, now: dt.datetime | None = None) -> Outcomes:
    """The organisation-wide view of ``programmes`` (those the reader may see)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    counts = dict(
        Participant.objects.filter(programme__in=programmes, status__in=TAKING_PART)
        .values_list("programme")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    table: dict[Hashable, int] = {p.pk: int(counts.get(p.pk, 0)) for p in programmes}
    pattern = suppress(table, minimum=MINIMUM_GROUP)
    rows = []
    for programme in programmes:
        report = build_report(programme)
        summary = summarise(report, now=now)
        rows.append(
            ProgrammeRow(
                programme=programme,
                phase=phase(programme, today),
                goals_met=summary.met,
                goals_measured=summary.measured,
                taking_part=pattern.value(programme.pk),
                retention=retention_at(report, RETENTION_MONTHS, today),
                nps=end_nps(report, now),
            )
        )
    return Outcomes(
        rows=rows,
        taking_part=pattern.value(TOTAL) if programmes else None,
        goals_met=sum(row.goals_met for row in rows),
        goals_measured=sum(row.goals_measured for row in rows),
    )
