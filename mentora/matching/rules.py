"""Hard rules, twice: vectorised over blocks of pairs, and a plain per-pair version.

The block version filters candidates; the plain version answers "why not?" and re-checks
every final assignment independently (it walks management chains instead of using the
Euler tour), so a bug in one is caught by the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from mentora.matching.columns import Compiled, per_distinct_pair
from mentora.matching.model import Person, RuleBreak
from mentora.matching.policy import Constraints
from mentora.matching.reporting import chain
from mentora.matching.timezones import circular_gap, circular_gaps, utc_offset_hours

RULES = (
    "same_person",
    "reporting_line",
    "same_team",
    "competitors",
    "same_organisation",
    "timezone_gap",
    "shared_language",
    "exclude",
)


def infeasible(
    c: Compiled,
    a: Mapping[str, np.ndarray],
    b: Mapping[str, np.ndarray],
    constraints: Constraints,
    excluded: np.ndarray | None,
) -> np.ndarray:
    """True where a pair breaks any enabled rule (one mask per rule, combined)."""
    broken: dict[str, np.ndarray] = {"same_person": a["pid"] == b["pid"]}
    if constraints.reporting_line:
        ea, xa, eb, xb = a["entry"], a["exit"], b["entry"], b["exit"]
        known = (ea >= 0) & (eb >= 0)
        broken["reporting_line"] = known & (((ea <= eb) & (xb <= xa)) | ((eb <= ea) & (xa <= xb)))
    if constraints.same_team:
        broken["same_team"] = (a["team"] >= 0) & (a["team"] == b["team"])
    if constraints.competitors and c.competitor.any():
        broken["competitors"] = c.competitor[a["organisation"] + 1, b["organisation"] + 1]
    if constraints.same_organisation:
        broken["same_organisation"] = (a["organisation"] >= 0) & (
            a["organisation"] == b["organisation"]
        )
    if constraints.max_timezone_gap_hours is not None:
        broken["timezone_gap"] = too_far_apart(a["tz"], b["tz"], constraints.max_timezone_gap_hours)
    if constraints.shared_language:
        common = np.bitwise_and(a["langs"], b["langs"]).any(axis=-1)
        broken["shared_language"] = a["has_langs"] & b["has_langs"] & ~common
    if constraints.exclude and excluded is not None:
        broken["exclude"] = excluded
    result = np.zeros(np.broadcast_shapes(*(m.shape for m in broken.values())), dtype=bool)
    for mask in broken.values():
        result |= mask
    return result


def too_far_apart(tz_a: ArrayLike, tz_b: ArrayLike, max_gap: float) -> np.ndarray:
    """The time-zone rule: offsets more than ``max_gap`` hours apart; an unknown offset
    never breaks it."""

    def far(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return circular_gaps(a, b) > max_gap + 1e-9

    return per_distinct_pair(far, np.asarray(tz_a), np.asarray(tz_b))


@dataclass(frozen=True)
class RuleContext:
    """What the per-pair check needs besides the two profiles."""

    managers: Mapping[str, str]
    competitors: frozenset[frozenset[str]]

    @classmethod
    def build(
        cls,
        people: Iterable[tuple[str, str]],
        persons: Iterable[Person],
        competitors: Iterable[tuple[str, str]],
    ) -> RuleContext:
        managers: dict[str, str] = dict(people)
        for p in persons:
            if p.id not in managers or not managers[p.id]:
                managers[p.id] = p.manager_id
        return cls(managers, frozenset(frozenset(pair) for pair in competitors))


def pair_broken_rules(
    mentee: Person, mentor: Person, *, constraints: Constraints, context: RuleContext
) -> list[RuleBreak]:
    """Every enabled rule the pair breaks, with a plain-language reason (empty = feasible)."""
    broken: list[RuleBreak] = []
    if mentee.id == mentor.id:
        broken.append(RuleBreak("same_person", "mentee and mentor are the same person"))
    if constraints.reporting_line:
        if mentor.id in chain(context.managers, mentee.id):
            broken.append(
                RuleBreak("reporting_line", f"{mentor.id} is in {mentee.id}'s management chain")
            )
        elif mentee.id in chain(context.managers, mentor.id):
            broken.append(
                RuleBreak("reporting_line", f"{mentee.id} is in {mentor.id}'s management chain")
            )
    if constraints.same_team and mentee.team and mentee.team == mentor.team:
        broken.append(RuleBreak("same_team", f"both are in team {mentee.team}"))
    if (
        constraints.competitors
        and mentee.organisation
        and mentor.organisation
        and frozenset((mentee.organisation, mentor.organisation)) in context.competitors
        and mentee.organisation != mentor.organisation
    ):
        broken.append(
            RuleBreak(
                "competitors",
                f"{mentee.organisation} and {mentor.organisation} are competitors",
            )
        )
    if (
        constraints.same_organisation
        and mentee.organisation
        and mentee.organisation == mentor.organisation
    ):
        broken.append(RuleBreak("same_organisation", f"both are from {mentee.organisation}"))
    limit = constraints.max_timezone_gap_hours
    if limit is not None and mentee.timezone and mentor.timezone:
        gap = circular_gap(utc_offset_hours(mentee.timezone), utc_offset_hours(mentor.timezone))
        if gap > limit + 1e-9:
            broken.append(
                RuleBreak("timezone_gap", f"time zones are {gap:g} h apart (at most {limit:g} h)")
            )
    if (
        constraints.shared_language
        and mentee.languages
        and mentor.languages
        and not set(mentee.languages) & set(mentor.languages)
    ):
        broken.append(RuleBreak("shared_language", "no common language"))
    if constraints.exclude:
        if mentor.id in mentee.exclude:
            broken.append(RuleBreak("exclude", f"{mentee.id} excluded {mentor.id}"))
        elif mentee.id in mentor.exclude:
            broken.append(RuleBreak("exclude", f"{mentor.id} excluded {mentee.id}"))
    return broken
