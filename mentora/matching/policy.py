"""A programme's matching policy: hard rules, criterion weights, bands and mode settings.

The policy round-trips through a plain dict (``Policy.from_dict`` / ``Policy.to_dict``) so
the web app can store it as JSON and edit it as a form; the CLI reads the same shape from
TOML.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

MODES = ("optimal", "stable", "suggest", "groups")


class PolicyError(ValueError):
    """A policy value is unknown or out of range; ``key`` is the dotted path."""

    def __init__(self, key: str, value: object, reason: str) -> None:
        super().__init__(f"{key} = {value!r}: {reason}")
        self.key = key
        self.value = value
        self.reason = reason


@dataclass(frozen=True)
class Constraints:
    reporting_line: bool = True
    same_team: bool = True
    competitors: bool = True
    same_organisation: bool = False
    max_timezone_gap_hours: float | None = None
    shared_language: bool = False
    exclude: bool = True


@dataclass(frozen=True)
class Weights:
    themes: float = 10.0
    progression: float = 4.0
    different_department: float = 1.0
    different_division: float = 1.0
    different_location: float = 1.0
    different_gender: float = 1.0
    timezone_band: float = 0.0
    mentee_preference: float = 20.0
    mentor_preference: float = 5.0
    goals: float = 2.0


@dataclass(frozen=True)
class Bands:
    """Band functions: 1 inside ``[low, high]``, falling linearly to 0 over ``slack``."""

    progression_low: float = 1.0
    progression_high: float = 3.0
    progression_slack: float = 2.0
    timezone_low: float = 0.0
    timezone_high: float = 3.0
    timezone_slack: float = 3.0


@dataclass(frozen=True)
class MatchingSettings:
    mode: str = "optimal"
    candidates_per_mentee: int = 50
    min_candidates_per_mentor: int = 3
    suggestions: int = 3
    suggest_max_share: float = 2.0
    suggest_penalty: float = 1.0
    group_size: int = 5
    seed: int = 0
    score_resolution: float = 0.001
    exhaustive_pairs_limit: int = 50_000_000
    pool_size: int = 0
    # Only runs with a maximum of used mentors use CP-SAT; it stops here at the latest.
    cp_sat_time_limit_seconds: float = 600.0


@dataclass(frozen=True)
class GroupSettings:
    min_size: int = 3
    max_size: int = 5
    one_per_organisation: bool = False
    iterations: int = 2000


@dataclass(frozen=True)
class FairnessBound:
    """Bounds for one organisation; ``None`` means unbounded.

    ``mentees`` bounds the organisation's matched mentees; ``mentor_load`` bounds the
    number of mentees taken by its mentors (the organisation's return in a two-way
    programme); ``mentors_used`` bounds how many of its mentors take at least one mentee.
    """

    organisation: str
    min_mentees: int | None = None
    max_mentees: int | None = None
    min_mentor_load: int | None = None
    max_mentor_load: int | None = None
    min_mentors_used: int | None = None
    max_mentors_used: int | None = None


@dataclass(frozen=True)
class Policy:
    constraints: Constraints = field(default_factory=Constraints)
    weights: Weights = field(default_factory=Weights)
    bands: Bands = field(default_factory=Bands)
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    groups: GroupSettings = field(default_factory=GroupSettings)
    fairness: tuple[FairnessBound, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """Build a policy from a plain dict shaped like the TOML file; validates every value."""
        if not isinstance(data, dict):
            raise PolicyError("", data, "the policy must be a table")
        sections: dict[str, Any] = {}
        known = {"constraints", "weights", "bands", "matching", "groups", "fairness"}
        for key in data:
            if key not in known:
                raise PolicyError(
                    key, data[key], f"unknown section; expected one of {sorted(known)}"
                )
        for name, klass in (
            ("constraints", Constraints),
            ("weights", Weights),
            ("bands", Bands),
            ("matching", MatchingSettings),
            ("groups", GroupSettings),
        ):
            sections[name] = _section(name, klass, data.get(name, {}))
        fairness_data = data.get("fairness", {})
        if not isinstance(fairness_data, dict):
            raise PolicyError("fairness", fairness_data, "must be a table of organisations")
        bounds = []
        for org in sorted(fairness_data):
            values = fairness_data[org]
            if not isinstance(values, dict):
                raise PolicyError(f"fairness.{org}", values, "must be a table")
            bound = _section(f"fairness.{org}", FairnessBound, {**values, "organisation": org})
            bounds.append(bound)
        policy = cls(fairness=tuple(bounds), **sections)
        policy.validate()
        return policy

    def to_dict(self) -> dict[str, Any]:
        """The plain-dict form accepted by :meth:`from_dict`."""
        out: dict[str, Any] = {}
        for name in ("constraints", "weights", "bands", "matching", "groups"):
            out[name] = dataclasses.asdict(getattr(self, name))
        out["fairness"] = {
            b.organisation: {
                k: v
                for k, v in dataclasses.asdict(b).items()
                if k != "organisation" and v is not None
            }
            for b in self.fairness
        }
        out["constraints"] = {k: v for k, v in out["constraints"].items() if v is not None}
        return out

    def validate(self) -> None:
        m = self.matching
        if m.mode not in MODES:
            raise PolicyError("matching.mode", m.mode, f"must be one of {', '.join(MODES)}")
        for key in ("candidates_per_mentee", "min_candidates_per_mentor", "pool_size"):
            if getattr(m, key) < 0:
                raise PolicyError(f"matching.{key}", getattr(m, key), "must be 0 or more")
        if m.suggestions < 1:
            raise PolicyError("matching.suggestions", m.suggestions, "must be at least 1")
        if m.group_size < 1:
            raise PolicyError("matching.group_size", m.group_size, "must be at least 1")
        if m.seed < 0:
            raise PolicyError("matching.seed", m.seed, "must be 0 or more")
        if not m.cp_sat_time_limit_seconds > 0:
            raise PolicyError(
                "matching.cp_sat_time_limit_seconds", m.cp_sat_time_limit_seconds, "must be > 0"
            )
        if not MIN_SCORE_RESOLUTION <= m.score_resolution < math.inf:
            raise PolicyError(
                "matching.score_resolution",
                m.score_resolution,
                f"must be at least {MIN_SCORE_RESOLUTION:g} and finite",
            )
        if m.suggest_max_share < 1:
            raise PolicyError("matching.suggest_max_share", m.suggest_max_share, "must be >= 1")
        gap = self.constraints.max_timezone_gap_hours
        if gap is not None and gap < 0:
            raise PolicyError("constraints.max_timezone_gap_hours", gap, "must be >= 0")
        g = self.groups
        if g.min_size < 1 or g.max_size < g.min_size:
            raise PolicyError("groups.max_size", g.max_size, "need 1 <= min_size <= max_size")
        b = self.bands
        if b.progression_slack <= 0 or b.timezone_slack <= 0:
            raise PolicyError("bands", "slack", "slack values must be > 0")
        for bound in self.fairness:
            for quantity in ("mentees", "mentor_load", "mentors_used"):
                low = getattr(bound, f"min_{quantity}")
                high = getattr(bound, f"max_{quantity}")
                for key, value in ((f"min_{quantity}", low), (f"max_{quantity}", high)):
                    if value is not None and value < 0:
                        raise PolicyError(
                            f"fairness.{bound.organisation}.{key}", value, "must be >= 0"
                        )
                if low is not None and high is not None and low > high:
                    raise PolicyError(
                        f"fairness.{bound.organisation}.min_{quantity}",
                        low,
                        f"must be <= max_{quantity} ({high})",
                    )


# Every count, size and seed in a policy fits comfortably; larger values are typing errors.
_INT_LIMIT = 2**31 - 1
# Finer units would overflow the solver's 64-bit costs for any realistic score range.
MIN_SCORE_RESOLUTION = 1e-12


def _section(name: str, klass: Any, values: Any) -> Any:
    if not isinstance(values, dict):
        raise PolicyError(name, values, "must be a table")
    fields = {f.name: f for f in dataclasses.fields(klass)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise PolicyError(
                f"{name}.{key}", value, f"unknown key; expected one of {sorted(fields)}"
            )
        kwargs[key] = _coerce(f"{name}.{key}", fields[key].type, value)
    return klass(**kwargs)


def _coerce(key: str, type_name: Any, value: Any) -> Any:
    kind = str(type_name)
    if kind == "bool":
        if not isinstance(value, bool):
            raise PolicyError(key, value, "must be true or false")
        return value
    if value is None and "None" in kind:
        return None
    if kind == "str":
        if not isinstance(value, str):
            raise PolicyError(key, value, "must be text")
        return value
    if kind.startswith("int"):
        if isinstance(value, bool) or not isinstance(value, int):
            if not (isinstance(value, float) and value.is_integer()):
                raise PolicyError(key, value, "must be a whole number")
        if abs(value) > _INT_LIMIT:
            raise PolicyError(key, value, f"must be at most {_INT_LIMIT}")
        return int(value)
    if kind.startswith("float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PolicyError(key, value, "must be a number")
        if not math.isfinite(value):
            raise PolicyError(key, value, "must be finite")
        return float(value)
    raise PolicyError(key, value, "unsupported value")
