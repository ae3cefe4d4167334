"""The transparent score: a weighted sum of named criteria, and its explanation.

Each criterion yields a value in [0, 1] that the policy's weight turns into points, so a
programme manager can read every match as "these criteria, this many points each".
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mentora.matching.columns import Compiled, goal_bits, per_distinct_pair
from mentora.matching.model import Contribution, Person
from mentora.matching.policy import Bands, Weights
from mentora.matching.timezones import circular_gap, circular_gaps, utc_offset_hours

CRITERIA = (
    "mentee_preference",
    "mentor_preference",
    "themes",
    "progression",
    "goals",
    "different_department",
    "different_division",
    "different_location",
    "different_gender",
    "timezone_band",
)
_ORDER = {name: k for k, name in enumerate(CRITERIA)}
_DIVERSITY = {
    "different_department": "department",
    "different_division": "division",
    "different_location": "location",
    "different_gender": "gender",
}


def band(x: np.ndarray, low: float, high: float, slack: float) -> np.ndarray:
    """1 inside [low, high], falling linearly to 0 over ``slack`` on either side; nan -> 0."""
    below = np.clip(1.0 - (low - x) / slack, 0.0, 1.0)
    above = np.clip(1.0 - (x - high) / slack, 0.0, 1.0)
    value = np.where(x < low, below, np.where(x > high, above, 1.0))
    return np.where(np.isnan(x), 0.0, value)


def band_between(a: np.ndarray, b: np.ndarray, low: float, high: float, slack: float) -> np.ndarray:
    """``band(b - a)``, once per pair of distinct values in a block."""
    return per_distinct_pair(lambda x, y: band(y - x, low, high, slack), a, b)


def preference_value(rank: np.ndarray) -> np.ndarray:
    """Steep: a 1st choice is worth 1, a 2nd 0.5, a 3rd 0.25 ...; unranked 0."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(rank > 0, np.exp2(1.0 - np.maximum(rank, 1.0)), 0.0)


def criterion_values(
    a: Mapping[str, np.ndarray],
    b: Mapping[str, np.ndarray],
    weights: Weights,
    bands: Bands,
    mentee_rank: np.ndarray | None,
    mentor_rank: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Points per criterion (weight x value) for broadcast blocks; zero-weight ones skipped."""
    out: dict[str, np.ndarray] = {}
    if weights.themes:
        if a["themes"].shape[-1] == 1:
            shared = np.bitwise_count(np.bitwise_and(a["themes"][..., 0], b["themes"][..., 0]))
        else:
            shared = np.bitwise_count(np.bitwise_and(a["themes"], b["themes"])).sum(axis=-1)
        out["themes"] = weights.themes * shared / np.maximum(a["n_themes"], 1.0)
    if weights.progression:
        out["progression"] = weights.progression * band_between(
            a["level"],
            b["level"],
            bands.progression_low,
            bands.progression_high,
            bands.progression_slack,
        )
    for criterion, attr in _DIVERSITY.items():
        w = getattr(weights, criterion)
        if w:
            differs = (a[attr] >= 0) & (b[attr] >= 0) & (a[attr] != b[attr])
            out[criterion] = w * differs
    if weights.timezone_band:
        d = circular_gaps(a["tz"], b["tz"])
        out["timezone_band"] = weights.timezone_band * band(
            d, bands.timezone_low, bands.timezone_high, bands.timezone_slack
        )
    if weights.mentee_preference and mentee_rank is not None:
        out["mentee_preference"] = weights.mentee_preference * preference_value(mentee_rank)
    if weights.mentor_preference and mentor_rank is not None:
        out["mentor_preference"] = weights.mentor_preference * preference_value(mentor_rank)
    if weights.goals and a["n_goals"].any() and b["n_goals"].any():
        inter = np.bitwise_count(np.bitwise_and(a["goals"], b["goals"])).sum(axis=-1)
        union = a["n_goals"] + b["n_goals"] - inter
        out["goals"] = weights.goals * np.where(union > 0, inter / np.maximum(union, 1.0), 0.0)
    return out


def total_score(values: Mapping[str, np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    total = np.zeros(shape, dtype=np.float64)
    for name in CRITERIA:
        if name in values:
            total += values[name]
    return total


def score_pairs(
    c: Compiled, ia: np.ndarray, jb: np.ndarray, weights: Weights, bands: Bands
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Scores (and points per criterion) of paired index arrays."""
    a = c.mentees.view(ia, None)
    b = c.mentors.view(jb, None)
    ra = c.mentee_rank.lookup(ia, jb, 0.0) if len(c.mentee_rank) else None
    rb = c.mentor_rank.lookup(ia, jb, 0.0) if len(c.mentor_rank) else None
    values = criterion_values(a, b, weights, bands, ra, rb)
    return total_score(values, ia.shape), values


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def contributions_for(
    mentee: Person, mentor: Person, values: Mapping[str, float]
) -> tuple[Contribution, ...]:
    """Named contributions of one pair, largest first, with codes, parameters and English."""
    out: list[Contribution] = []
    for name in CRITERIA:
        points = float(values.get(name, 0.0))
        if points <= 0:
            continue
        detail, text = describe(name, mentee, mentor)
        out.append(Contribution(name, round(points, 6), detail, text))
    out.sort(key=contribution_order)
    return tuple(out)


def contribution_order(c: Contribution) -> tuple[float, int]:
    """Largest points first; ties in the order of ``CRITERIA``."""
    return (-c.points, _ORDER[c.criterion])


def describe(name: str, mentee: Person, mentor: Person) -> tuple[dict[str, object], str]:
    """A criterion's parameters and English fragment for one pair that it scores."""
    detail: dict[str, object]
    if name == "themes":
        theirs = set(mentor.themes)
        shared = [t for t in mentee.themes if t in theirs]
        detail = {"themes": shared}
        text = "shares themes: " + ", ".join(shared)
    elif name == "progression":
        gap = (mentor.level or 0) - (mentee.level or 0)
        detail = {"levels": gap}
        if gap > 0:
            text = f"mentor is {gap:g} level{'s' if gap != 1 else ''} above"
        elif gap == 0:
            text = "same level"
        else:
            text = f"mentor is {-gap:g} level{'s' if gap != -1 else ''} below"
    elif name in _DIVERSITY:
        attr = _DIVERSITY[name]
        detail = {"mentee": getattr(mentee, attr), "mentor": getattr(mentor, attr)}
        text = {
            "department": "different departments",
            "division": "different divisions",
            "location": "different locations",
            "gender": "different genders",
        }[attr]
    elif name == "timezone_band":
        gap = circular_gap(utc_offset_hours(mentee.timezone), utc_offset_hours(mentor.timezone))
        detail = {"hours": gap}
        text = f"time zones {gap:g} h apart"
    elif name == "mentee_preference":
        rank = list(dict.fromkeys(mentee.preferences)).index(mentor.id) + 1
        detail = {"rank": rank}
        text = f"mentee's {_ordinal(rank)} choice"
    elif name == "mentor_preference":
        rank = list(dict.fromkeys(mentor.preferences)).index(mentee.id) + 1
        detail = {"rank": rank}
        text = f"mentor's {_ordinal(rank)} choice"
    else:
        a, b = goal_bits(mentee.goals), goal_bits(mentor.goals)
        union = int(np.bitwise_count(a | b).sum())
        similarity = int(np.bitwise_count(a & b).sum()) / union if union else 0.0
        detail = {"similarity": round(similarity, 3)}
        text = f"similar goals ({similarity:.0%} shared words)"
    return detail, text


def given_score_contribution(score: float, rank: int | None) -> tuple[Contribution, ...]:
    text = f"given score {score:g}"
    detail: dict[str, object] = {"score": score}
    if rank is not None:
        detail["rank"] = rank
        text += f" ({_ordinal(rank)} best for the mentee)"
    return (Contribution("given_score", score, detail, text),)


def explain(contributions: tuple[Contribution, ...], top: int = 3) -> str:
    """The top contributing criteria as one short English line."""
    if not contributions:
        return "feasible pair; no criterion scored"
    return "; ".join([c.text for c in contributions[:top]])
