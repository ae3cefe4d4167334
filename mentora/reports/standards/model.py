"""What the evidence pack is made of: criteria, standards, the assessment, the award
levels, and the exact arithmetic that scores them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import floor
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentora.programmes.health import GREEN, RED
from mentora.programmes.models import Programme

MET, PARTLY, NOT_MET = "met", "partly", "not_met"
CREDIT = {MET: Fraction(1), PARTLY: Fraction(1, 2), NOT_MET: Fraction(0)}
STATUS_LABELS: dict[str, Any] = {
    MET: gettext_lazy("Met"),
    PARTLY: gettext_lazy("Partly met"),
    NOT_MET: gettext_lazy("Not met"),
}
# The health check's traffic lights read as criteria.
FROM_LIGHT = {GREEN: MET, RED: NOT_MET}
# A share of pairs or participants: met from four in five, partly from one in two.
SHARE_MET, SHARE_PARTLY = Fraction(4, 5), Fraction(1, 2)
# Survey response: met from 60 %, partly from 30 %.
RESPONSE_MET, RESPONSE_PARTLY = Fraction(3, 5), Fraction(3, 10)


@dataclass(frozen=True)
class AwardLevel:
    code: str
    overall: Fraction
    each: Fraction

    @property
    def name(self) -> str:
        return str(LEVEL_NAMES[self.code])

    @property
    def overall_percent(self) -> int:
        return percent(self.overall)

    @property
    def each_percent(self) -> int:
        return percent(self.each)


LEVEL_NAMES: dict[str, Any] = {
    "gold": gettext_lazy("Gold"),
    "silver": gettext_lazy("Silver"),
    "bronze": gettext_lazy("Bronze"),
}
# Highest first: overall adherence, and the least each standard must reach.
LEVELS = (
    AwardLevel("gold", Fraction(9, 10), Fraction(4, 5)),
    AwardLevel("silver", Fraction(4, 5), Fraction(7, 10)),
    AwardLevel("bronze", Fraction(7, 10), Fraction(3, 5)),
)


def percent(value: Fraction) -> int:
    """A share as a whole percentage, rounded down: thresholds are whole percentages, so
    the shown figure reaches a threshold exactly when the exact share does."""
    return floor(value * 100)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    # Pages only those running the programme may open; sponsors are not sent there.
    manage_only: bool = False


@dataclass
class Criterion:
    code: str
    title: str
    weight: int
    status: str
    evidence: list[str]
    gap: str = ""
    links: list[Link] = field(default_factory=list)
    # False while the programme has not reached the phase that produces the evidence.
    due: bool = True

    @property
    def credit(self) -> Fraction:
        return CREDIT[self.status]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def light(self) -> str:
        return {MET: "green", PARTLY: "amber", NOT_MET: "red"}[self.status]


@dataclass
class Standard:
    number: int
    code: str
    title: str
    asks: str
    criteria: list[Criterion]

    @property
    def score(self) -> Fraction:
        """The weighted share of the criteria met (a criterion partly met counts half)."""
        weights = sum(c.weight for c in self.criteria)
        earned = sum((c.weight * c.credit for c in self.criteria), Fraction(0))
        return earned / weights

    @property
    def percent(self) -> int:
        return percent(self.score)

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.criteria if c.status == MET)


@dataclass
class Assessment:
    programme: Programme
    standards: list[Standard]
    today: dt.date
    cycle_complete: bool
    cycle_note: str

    @property
    def overall(self) -> Fraction:
        """The mean of the six standards' scores."""
        return sum((s.score for s in self.standards), Fraction(0)) / len(self.standards)

    @property
    def percent(self) -> int:
        return percent(self.overall)

    @property
    def lowest(self) -> Fraction:
        return min(s.score for s in self.standards)

    def reaches(self, level: AwardLevel) -> bool:
        return self.overall >= level.overall and self.lowest >= level.each

    @property
    def level(self) -> AwardLevel | None:
        """The highest award level the evidence reaches, if any."""
        return next((level for level in LEVELS if self.reaches(level)), None)

    @property
    def next_level(self) -> AwardLevel | None:
        """The level above the one reached (Bronze when none is)."""
        above = [level for level in LEVELS if not self.reaches(level)]
        return above[-1] if above else None

    def below(self, level: AwardLevel) -> list[Standard]:
        """The standards under a level's minimum per standard."""
        return [s for s in self.standards if s.score < level.each]

    @property
    def levels(self) -> list[tuple[AwardLevel, bool]]:
        """Every award level, highest first, and whether the evidence reaches it."""
        return [(level, self.reaches(level)) for level in LEVELS]

    @property
    def holding_back(self) -> list[Standard]:
        """The standards under the next level's minimum per standard."""
        level = self.next_level
        return self.below(level) if level is not None else []

    @property
    def provisional(self) -> bool:
        return not self.cycle_complete

    def for_reader(self, *, can_manage: bool) -> Assessment:
        """Drop the links to pages only those running the programme may open."""
        if not can_manage:
            for standard in self.standards:
                for criterion in standard.criteria:
                    criterion.links = [link for link in criterion.links if not link.manage_only]
        return self


def local_date(value: dt.date | dt.datetime) -> str:
    """A date (or the local day of a moment) in the reader's language."""
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return str(formats.date_format(value))


def status_by_share(
    part: int, whole: int, *, met: Fraction = SHARE_MET, partly: Fraction = SHARE_PARTLY
) -> str:
    """Met, partly met or not met by the share `part / whole` (not met when there is none)."""
    if whole <= 0:
        return NOT_MET
    share = Fraction(part, whole)
    return MET if share >= met else PARTLY if share >= partly else NOT_MET


def status_by_parts(*parts: bool) -> str:
    """Met when every part holds, partly met when all but one do, else not met."""
    held = sum(parts)
    return MET if held == len(parts) else PARTLY if held == len(parts) - 1 else NOT_MET


def share_criterion(
    code: str,
    title: str,
    weight: int,
    part: int,
    whole: int,
    counted: Any,
    *,
    more: Sequence[str] = (),
    none: str,
    gap: str,
    none_gap: str | None = None,
    links: list[Link],
    due: bool,
) -> Criterion:
    """A criterion met by the share `part / whole` of pairs or participants.

    `counted` says how many of the whole: an ``ngettext_lazy`` of "%(n)s of %(total)s …"
    whose number is ``"total"``, followed in the evidence by `more`. While there is no
    whole, `none` stands for the evidence, and `none_gap` (when given) for the gap."""
    if not whole:
        gap = gap if none_gap is None else none_gap
        return Criterion(code, title, weight, NOT_MET, [none], gap, links, due)
    evidence = [counted % {"n": part, "total": whole}, *more]
    return Criterion(code, title, weight, status_by_share(part, whole), evidence, gap, links, due)


def cycle(programme: Programme, today: dt.date) -> tuple[bool, str]:
    """Whether one full cycle is behind the programme, and why not. The standard assesses a
    programme once it has been delivered in full and twelve months have passed since its
    start."""
    start, end = programme.began_on(), programme.end_date
    if start is None or (end is None and not programme.rolling):
        return False, _("The programme has no start and end dates yet.")
    try:
        year_on = start.replace(year=start.year + 1)
    except ValueError:  # the 29th of February
        year_on = start.replace(year=start.year + 1, day=28)
    # A rolling programme is never delivered in full: twelve months of running make a cycle.
    if end is not None and end >= today:
        return False, _("The programme runs until %(date)s: its cycle is not complete yet.") % {
            "date": local_date(end)
        }
    if year_on > today:
        return False, _("Twelve months from the start are reached on %(date)s.") % {
            "date": local_date(year_on)
        }
    return True, _("The programme has completed a full cycle of at least twelve months.")
