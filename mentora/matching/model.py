"""Inputs and outputs of the matching engine as frozen dataclasses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ProgressCallback = Callable[[str, float], None]

# The most places one mentor can offer (flow capacities are 32-bit integers).
MAX_CAPACITY = 2**31 - 1


class ProblemError(ValueError):
    """The problem cannot be solved as stated (a cycle, a bad lock, infeasible bounds)."""


class LockError(ProblemError):
    """A lock the engine cannot honour: ``lock`` is the pair, ``column`` the id at fault."""

    def __init__(self, lock: tuple[str, str], column: str, reason: str) -> None:
        super().__init__(f"lock {lock[0]},{lock[1]}: {reason}")
        self.lock = lock
        self.column = column
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Person:
    """A mentee, a mentor or a member of a peer group, as the engine sees them.

    Empty strings and ``None`` mean "unknown"; rules and criteria that need an unknown
    attribute neither block the pair nor reward it.
    """

    id: str
    name: str = ""
    organisation: str = ""
    team: str = ""
    department: str = ""
    division: str = ""
    location: str = ""
    timezone: str = ""
    gender: str = ""
    level: float | None = None
    languages: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    goals: str = ""
    preferences: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    capacity: int | None = None
    manager_id: str = ""


@dataclass(frozen=True, eq=False)
class ExplicitPairs:
    """Candidate pairs given with their scores (no profiles): indexes into the id tuples."""

    mentee_index: np.ndarray
    mentor_index: np.ndarray
    score: np.ndarray


@dataclass(frozen=True, eq=False)
class Problem:
    """Everything a matching run needs apart from the policy.

    ``people`` is the whole reporting forest as ``(id, manager_id)`` rows, including people
    outside the programme; a person's own ``manager_id`` is used when they are not in it.
    ``locks`` are ``(mentee_id, mentor_id)`` pairs fixed by a programme manager.
    ``pairs`` replaces profile scoring and hard rules by an explicit candidate list.
    """

    mentees: tuple[Person, ...]
    mentors: tuple[Person, ...]
    people: tuple[tuple[str, str], ...] = ()
    competitors: tuple[tuple[str, str], ...] = ()
    locks: tuple[tuple[str, str], ...] = ()
    pairs: ExplicitPairs | None = None


@dataclass(frozen=True)
class Contribution:
    """One criterion's share of a pair's score: a stable code, its points and parameters.

    ``text`` is the English fragment; the web app translates from ``criterion``/``detail``.
    """

    criterion: str
    points: float
    detail: Mapping[str, Any]
    text: str


@dataclass(frozen=True)
class Match:
    mentee_id: str
    mentor_id: str
    score: float
    contributions: tuple[Contribution, ...]
    explanation: str
    locked: bool = False


@dataclass(frozen=True)
class Unmatched:
    mentee_id: str
    reason_code: str
    reason: str


@dataclass(frozen=True)
class Suggestion:
    mentee_id: str
    rank: int
    mentor_id: str
    score: float
    contributions: tuple[Contribution, ...]
    explanation: str


@dataclass(frozen=True)
class Group:
    group_id: int
    member_ids: tuple[str, ...]
    diversity: float
    explanation: str


@dataclass(frozen=True)
class MatchResult:
    """The outcome of a run. ``stage_seconds`` is informative and never part of equality."""

    mode: str
    matches: tuple[Match, ...] = ()
    unmatched: tuple[Unmatched, ...] = ()
    objective: float = 0.0
    certified_optimal: bool | None = None
    blocking_pairs: tuple[tuple[str, str], ...] | None = None
    organisations: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    suggestions: tuple[Suggestion, ...] = ()
    groups: tuple[Group, ...] = ()
    ungrouped: tuple[Unmatched, ...] = ()
    candidate_arcs: int = 0
    stage_seconds: Mapping[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class RuleBreak:
    rule: str
    text: str


@dataclass(frozen=True, kw_only=True)
class WhyNot:
    """Answer to "why was this mentee not matched with that mentor?"."""

    mentee_id: str
    mentor_id: str
    feasible: bool
    broken: tuple[RuleBreak, ...]
    score: float | None
    contributions: tuple[Contribution, ...]
    reason: str
