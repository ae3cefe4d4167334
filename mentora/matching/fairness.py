"""The fairness report of a result: how match quality, the share matched and mentees' own
choices spread across groups of mentees, the mentors' load, and whether the result
depends on the order of the input.

One computation serves the command line (``--report``) and the web app: both hand over
plain facts (``RoundFacts``) built from a result or from stored proposals, and get the
same figures back. Every figure passes the disclosure control of ``mentora.stats``: a
group of fewer than ``minimum`` mentees is merged into one group of others, and a mean or
share of fewer than ``minimum`` people is not given.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mentora.matching.engine import match
from mentora.matching.model import MatchResult, Person, Problem
from mentora.matching.policy import Policy
from mentora.matching.solve import score_grid
from mentora.stats.anonymity import MINIMUM_GROUP, can_show, merge_small_groups, merge_small_levels
from mentora.stats.proportions import wilson_interval
from mentora.stats.scales import mean_interval_from_summary

# The attributes a breakdown may be by; gender is sensitive, and the web app offers it only
# to staff who may see sensitive attributes.
ATTRIBUTES = ("organisation", "department", "location", "level_band", "gender")
# The key of the merged group of small groups, and of mentees whose value is not known.
OTHER = "*other*"
UNKNOWN = ""
# "Clearly below the rest": at least this far below, and the gap's 95 % interval above 0.
SHARE_GAP = 0.10  # share matched, in points of the share
SCORE_GAP = 0.10  # mean score, relative to the rest's mean


@dataclass(frozen=True)
class PairFacts:
    """One pair of the result: its score, its points per criterion, and whether the mentor
    is one of the mentee's own choices."""

    mentee_id: str
    mentor_id: str
    score: float
    points: Mapping[str, float] = field(default_factory=dict)
    own_choice: bool = False


@dataclass(frozen=True)
class RoundFacts:
    """What the report is computed from: every mentee and mentor of the round, the pairs,
    why each unmatched mentee was left out (a reason code), who stated their own choices,
    and per attribute each mentee's value ("" when not known)."""

    mentees: tuple[str, ...]
    mentors: tuple[str, ...]
    pairs: tuple[PairFacts, ...]
    unmatched: Mapping[str, str] = field(default_factory=dict)
    wished: frozenset[str] = frozenset()
    groups: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupFigures:
    """The figures of one group of mentees (or of all); ``None`` where too few to show."""

    group: str
    mentees: int
    matched: int
    matched_share: float
    matched_low: float | None
    matched_high: float | None
    mean_score: float | None
    score_low: float | None
    score_high: float | None
    points: Mapping[str, float] | None
    score_shares: Mapping[str, float | None] | None
    wished: int
    own_choice: int | None
    own_choice_share: float | None
    reasons: Mapping[str, int] | None

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for key in ("matched_low", "matched_high", "score_low", "score_high"):
            out.pop(key)
        return out


@dataclass(frozen=True)
class Breakdown:
    attribute: str
    groups: tuple[GroupFigures, ...]
    # Fewer than the minimum mentees in all: no breakdown is shown.
    hidden: bool = False


@dataclass(frozen=True)
class LoadBand:
    """Mentors who took from ``low`` to ``high`` mentees (the same for one number)."""

    low: int
    high: int
    mentors: int


@dataclass(frozen=True)
class Finding:
    """A group clearly below the rest: ``measure`` is ``matched_share`` or ``mean_score``;
    ``driver`` is the criterion (for the score) or the reason code (for the share) that
    accounts most for the gap, and ``gap`` its size (points per pair, or share of the
    group's mentees)."""

    attribute: str
    group: str
    measure: str
    value: float
    rest: float
    driver: str | None
    gap: float | None


@dataclass(frozen=True)
class Fairness:
    minimum: int
    overall: GroupFigures
    breakdowns: tuple[Breakdown, ...]
    mentor_load: tuple[LoadBand, ...]
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "minimum_group": self.minimum,
            "overall": self.overall.to_dict(),
            "by": {
                b.attribute: {"hidden": b.hidden, "groups": [g.to_dict() for g in b.groups]}
                for b in self.breakdowns
            },
            "mentor_load": [dataclasses.asdict(band) for band in self.mentor_load],
            "findings": [dataclasses.asdict(f) for f in self.findings],
        }


def level_band(level: float | None) -> str:
    """Levels two at a time (0-1, 2-3, 4-5, ...), so a band is rarely one person's level."""
    if level is None or not math.isfinite(level):
        return UNKNOWN
    low = 2 * math.floor(level / 2)
    return f"{low}-{low + 1}"


def person_groups(person: Person) -> dict[str, str]:
    """The engine's own attributes of a person, by breakdown."""
    return {
        "organisation": person.organisation,
        "department": person.department,
        "location": person.location,
        "level_band": level_band(person.level),
        "gender": person.gender,
    }


def facts_from_result(
    problem: Problem, result: MatchResult, attributes: Iterable[str] = ATTRIBUTES
) -> RoundFacts:
    """The facts of an engine result (the command line's report)."""
    chosen = set(attributes)
    wishes = {p.id: set(p.preferences) for p in problem.mentees}
    return RoundFacts(
        mentees=tuple(p.id for p in problem.mentees),
        mentors=tuple(p.id for p in problem.mentors),
        pairs=tuple(
            PairFacts(
                m.mentee_id,
                m.mentor_id,
                m.score,
                _points(m.contributions),
                own_choice=m.mentor_id in wishes.get(m.mentee_id, ()),
            )
            for m in result.matches
        ),
        unmatched={u.mentee_id: u.reason_code for u in result.unmatched},
        wished=frozenset(p.id for p in problem.mentees if p.preferences),
        groups={
            attribute: {p.id: person_groups(p)[attribute] for p in problem.mentees}
            for attribute in ATTRIBUTES
            if attribute in chosen
        },
    )


def _points(contributions: Iterable[Any]) -> dict[str, float]:
    points: dict[str, float] = {}
    for c in contributions:
        criterion = c["criterion"] if isinstance(c, Mapping) else c.criterion
        value = c["points"] if isinstance(c, Mapping) else c.points
        points[criterion] = points.get(criterion, 0.0) + float(value)
    return points


def points_of(contributions: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Points per criterion from stored contributions (``criterion``, ``points``)."""
    return _points(contributions)


def fairness_report(facts: RoundFacts, *, minimum: int = MINIMUM_GROUP) -> Fairness:
    """Every figure of the fairness report, through the disclosure control."""
    pairs = {p.mentee_id: p for p in facts.pairs}
    criteria = sorted({c for p in facts.pairs for c in p.points})
    tally = {m: _Tally.of(m, pairs, facts) for m in facts.mentees}
    everyone = _Tally.total(tally.values())
    overall = _figures("", everyone, criteria, minimum)
    breakdowns = []
    findings: list[Finding] = []
    for attribute, values in facts.groups.items():
        members: dict[str, list[str]] = {}
        for mentee in facts.mentees:
            members.setdefault(values.get(mentee, UNKNOWN) or UNKNOWN, []).append(mentee)
        if not can_show(len(facts.mentees), minimum):
            breakdowns.append(Breakdown(attribute, (), hidden=True))
            continue
        place = merge_small_groups(
            {k: len(v) for k, v in members.items()}, minimum=minimum, other=OTHER
        )
        published: dict[str, list[str]] = {}
        for key in sorted(members, key=lambda k: (k == UNKNOWN, k)):
            published.setdefault(str(place[key]), []).extend(members[key])
        if OTHER in published:
            published[OTHER] = published.pop(OTHER)  # the merged group last
        groups = {key: _Tally.total(tally[i] for i in ids) for key, ids in published.items()}
        breakdowns.append(
            Breakdown(
                attribute,
                tuple(_figures(key, t, criteria, minimum) for key, t in groups.items()),
            )
        )
        if len(groups) > 1:
            for key, group in groups.items():
                findings += _findings(attribute, key, group, everyone, criteria, minimum)
    return Fairness(minimum, overall, tuple(breakdowns), _load(facts, minimum), tuple(findings))


@dataclass
class _Tally:
    """Sums over some mentees, from which their figures follow; the rest of a breakdown is
    everyone's tally less a group's."""

    n: int = 0
    matched: int = 0
    score_sum: float = 0.0
    score_squares: float = 0.0
    points: Counter[str] = field(default_factory=Counter)
    wished: int = 0
    own_choice: int = 0
    left: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, mentee: str, pairs: Mapping[str, PairFacts], facts: RoundFacts) -> _Tally:
        pair = pairs.get(mentee)
        wished = mentee in facts.wished
        if pair is None:
            left = Counter({facts.unmatched.get(mentee, "not_matched"): 1})
            return cls(n=1, wished=int(wished), left=left)
        return cls(
            n=1,
            matched=1,
            score_sum=pair.score,
            score_squares=pair.score * pair.score,
            points=Counter(dict(pair.points)),
            wished=int(wished),
            own_choice=int(wished and pair.own_choice),
        )

    @classmethod
    def total(cls, tallies: Iterable[_Tally]) -> _Tally:
        out = cls()
        for t in tallies:
            out.n += t.n
            out.matched += t.matched
            out.score_sum += t.score_sum
            out.score_squares += t.score_squares
            out.points.update(t.points)
            out.wished += t.wished
            out.own_choice += t.own_choice
            out.left.update(t.left)
        return out

    def __sub__(self, other: _Tally) -> _Tally:
        points = Counter(self.points)
        points.subtract(other.points)
        left = Counter(self.left)
        left.subtract(other.left)
        return _Tally(
            self.n - other.n,
            self.matched - other.matched,
            self.score_sum - other.score_sum,
            self.score_squares - other.score_squares,
            points,
            self.wished - other.wished,
            self.own_choice - other.own_choice,
            +left,
        )


def _figures(key: str, t: _Tally, criteria: Sequence[str], minimum: int) -> GroupFigures:
    n, matched = t.n, t.matched
    low, high = wilson_interval(matched, n) if n else (None, None)
    points = score_shares = None
    mean = score_low = score_high = None
    if can_show(matched, minimum):
        average = t.score_sum / matched
        sd = None
        if matched > 1:
            squares = max(0.0, t.score_squares - matched * average * average)
            sd = math.sqrt(squares / (matched - 1))
        interval = mean_interval_from_summary(matched, average, sd)
        mean = _round(interval.mean)
        score_low, score_high = _round(interval.low), _round(interval.high)
        points = {c: _round(t.points.get(c, 0.0) / matched) for c in criteria}
        score_shares = {
            c: _round(t.points.get(c, 0.0) / t.score_sum) if t.score_sum > 0 else None
            for c in criteria
        }
    shown_choice = can_show(t.wished, minimum)
    return GroupFigures(
        group=key,
        mentees=n,
        matched=matched,
        matched_share=_round(matched / n) if n else 0.0,
        matched_low=low,
        matched_high=high,
        mean_score=mean,
        score_low=score_low,
        score_high=score_high,
        points=points,
        score_shares=score_shares,
        wished=t.wished,
        own_choice=t.own_choice if shown_choice else None,
        own_choice_share=_round(t.own_choice / t.wished) if shown_choice else None,
        # Why the unmatched were left out: shown once enough were left out.
        reasons=dict(sorted(t.left.items())) if can_show(n - matched, minimum) else None,
    )


def _round(value: float | None) -> Any:
    return None if value is None else round(float(value), 6)


def _findings(
    attribute: str,
    key: str,
    group: _Tally,
    everyone: _Tally,
    criteria: Sequence[str],
    minimum: int,
) -> list[Finding]:
    """The group's findings: its share matched or mean score clearly below that of everyone
    else in the breakdown, each with what drives the gap."""
    found = []
    rest = everyone - group
    mine = _figures(key, group, criteria, minimum)
    theirs = _figures("", rest, criteria, minimum)
    if theirs.matched_share - mine.matched_share >= SHARE_GAP and _clearly_below(
        mine.matched_share, mine.matched_high, theirs.matched_share, theirs.matched_low
    ):
        driver, gap = _reason_driver(group, rest)
        found.append(
            Finding(
                attribute,
                key,
                "matched_share",
                mine.matched_share,
                theirs.matched_share,
                driver,
                gap,
            )
        )
    if (
        mine.mean_score is not None
        and theirs.mean_score is not None
        and theirs.mean_score > 0
        and theirs.mean_score - mine.mean_score >= SCORE_GAP * theirs.mean_score
        and _clearly_below(mine.mean_score, mine.score_high, theirs.mean_score, theirs.score_low)
    ):
        driver, gap = _criterion_driver(mine, theirs)
        found.append(
            Finding(attribute, key, "mean_score", mine.mean_score, theirs.mean_score, driver, gap)
        )
    return found


def _clearly_below(value: float, high: float | None, rest: float, rest_low: float | None) -> bool:
    """Whether the 95 % interval of ``rest - value`` lies above 0, combining the two
    groups' own intervals (Newcombe's method for proportions, and the same recovery of
    variance estimates for means): a gap this large is not the play of chance."""
    if high is None or rest_low is None:
        return False
    margin = math.hypot(high - value, rest - rest_low)
    return rest - value > margin


def _reason_driver(group: _Tally, rest: _Tally) -> tuple[str | None, float | None]:
    """The reason for being left out that the group meets most more often than the rest."""
    gaps = {
        reason: count / group.n - (rest.left.get(reason, 0) / rest.n if rest.n else 0.0)
        for reason, count in group.left.items()
    }
    if not gaps:
        return None, None
    reason = max(sorted(gaps), key=lambda r: gaps[r])
    return (reason, _round(gaps[reason])) if gaps[reason] > 0 else (None, None)


def _criterion_driver(group: GroupFigures, rest: GroupFigures) -> tuple[str | None, float | None]:
    """The criterion whose points per pair fall furthest below the rest's."""
    if group.points is None or rest.points is None:
        return None, None
    gaps = {c: rest.points[c] - group.points.get(c, 0.0) for c in rest.points}
    if not gaps:
        return None, None
    criterion = max(sorted(gaps), key=lambda c: gaps[c])
    return (criterion, _round(gaps[criterion])) if gaps[criterion] > 0 else (None, None)


def _load(facts: RoundFacts, minimum: int) -> tuple[LoadBand, ...]:
    """Mentors by how many mentees they took, small counts merged into bands."""
    load = Counter(p.mentor_id for p in facts.pairs)
    per_mentor = [load.get(m, 0) for m in facts.mentors]
    if not can_show(len(per_mentor), minimum):
        return ()
    counts = np.bincount(np.array(per_mentor, dtype=np.int64), minlength=1).tolist()
    return tuple(
        LoadBand(band.start, band.stop - 1, sum(counts[band.start : band.stop]))
        for band in merge_small_levels(counts, minimum=minimum)
    )


# The order check --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderCheck:
    """The result solved again with mentees and mentors in another order.

    ``same_objective``: the total scores agree within ``tolerance`` (the rounding the
    solver allows); ``pairs_differ``: mentees whose mentor (or lack of one) differs, which
    only ties between equally good assignments explain when the objective is the same."""

    seed: int
    objective: float
    shuffled_objective: float
    tolerance: float
    same_objective: bool
    matched: int
    shuffled_matched: int
    pairs_differ: int

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


ORDER_CHECK_MODES = ("optimal", "stable")


def shuffled_problem(problem: Problem, seed: int) -> Problem:
    """The same problem with mentees and mentors (and explicit pairs) in a seeded order."""
    rng = random.Random(seed)
    mentee_order = list(range(len(problem.mentees)))
    mentor_order = list(range(len(problem.mentors)))
    rng.shuffle(mentee_order)
    rng.shuffle(mentor_order)
    pairs = problem.pairs
    if pairs is not None:
        new_mentee = np.argsort(np.array(mentee_order, dtype=np.int64))
        new_mentor = np.argsort(np.array(mentor_order, dtype=np.int64))
        pairs = dataclasses.replace(
            pairs,
            mentee_index=new_mentee[pairs.mentee_index],
            mentor_index=new_mentor[pairs.mentor_index],
        )
    return dataclasses.replace(
        problem,
        mentees=tuple(problem.mentees[i] for i in mentee_order),
        mentors=tuple(problem.mentors[j] for j in mentor_order),
        pairs=pairs,
    )


def _tolerance(first: MatchResult, second: MatchResult, resolution: float) -> float:
    """How far two optimal objectives may differ: float noise where every score sits on a
    grid the solver optimises exactly, else the rounding to ``resolution`` it allows (each
    pair's score rounds by at most half a unit, in either run)."""
    scores = np.array([m.score for m in (*first.matches, *second.matches)], dtype=np.float64)
    matched = max(len(first.matches), len(second.matches), 1)
    if scores.size and score_grid(scores, resolution):
        return round(1e-6 * matched, 9)
    return round(matched * resolution + 1e-6, 9)


def order_check(
    *, problem: Problem, policy: Policy, result: MatchResult, seed: int = 1
) -> OrderCheck:
    """Solve ``problem`` again in a shuffled order and compare with ``result``."""
    if policy.matching.mode not in ORDER_CHECK_MODES:
        raise ValueError(f"the order check is for {' and '.join(ORDER_CHECK_MODES)} modes")
    again = match(problem=shuffled_problem(problem, seed), policy=policy)
    first = {m.mentee_id: m.mentor_id for m in result.matches}
    second = {m.mentee_id: m.mentor_id for m in again.matches}
    differ = sum(1 for p in problem.mentees if first.get(p.id) != second.get(p.id))
    tolerance = _tolerance(result, again, policy.matching.score_resolution)
    return OrderCheck(
        seed=seed,
        objective=result.objective,
        shuffled_objective=again.objective,
        tolerance=tolerance,
        same_objective=len(result.matches) == len(again.matches)
        and abs(result.objective - again.objective) <= tolerance,
        matched=len(result.matches),
        shuffled_matched=len(again.matches),
        pairs_differ=differ,
    )
