"""The quality summary a programme manager reads before publishing a round."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mentora.rounds.models import MatchingRound

# A proposal's place among the round's own scores: the top third is strong, the middle
# third good, the bottom third weak. Scores mean nothing outside their round's policy, so
# the bands are drawn from the round itself.
BANDS = ("strong", "good", "weak")


@dataclass(frozen=True)
class ScoreCuts:
    """The lowest score of the strong band and the lowest of the good band."""

    strong: float
    good: float

    def band(self, score: float) -> str:
        if score >= self.strong:
            return "strong"
        return "good" if score >= self.good else "weak"


def score_cuts(scores: Iterable[float]) -> ScoreCuts | None:
    """Where a round's scores split into thirds; None for a round with no proposal."""
    ordered = sorted(scores)
    if not ordered:
        return None
    if len(ordered) == 1:
        return ScoreCuts(strong=ordered[0], good=ordered[0])
    good, strong = statistics.quantiles(ordered, n=3, method="inclusive")
    return ScoreCuts(strong=strong, good=good)


@dataclass
class Quality:
    mentees: int
    matched: int
    first_choice_share: float | None
    top3_choice_share: float | None
    different: dict[str, float] = field(default_factory=dict)
    organisations: list[tuple[str, int, int]] = field(default_factory=list)
    locked: int = 0
    manual: int = 0
    # Suggestion rounds: mentees given suggestions, and those who ranked them.
    suggested: int = 0
    chosen: int = 0
    # The proposals' scores, and the mentees the round left unmatched.
    mean_score: float | None = None
    median_score: float | None = None
    unmatched: int = 0

    @property
    def matched_share(self) -> float:
        return self.matched / self.mentees if self.mentees else 0.0


def mentees_who_chose(matching_round: MatchingRound) -> set[int]:
    """The mentees who ranked their suggestions in a suggestion round."""
    return set(
        matching_round.suggestions.filter(choice_rank__isnull=False).values_list(
            "mentee_id", flat=True
        )
    )


def stated_wishes(mentee: Any, chosen: set[int]) -> bool:
    """Whether a mentee said whom they want: preferred mentors in their answers or, in a
    suggestion round, a ranking of their own suggestions (`chosen`)."""
    return bool((mentee.profile or {}).get("preferences")) or mentee.pk in chosen


def round_quality(matching_round: MatchingRound, *, include_gender: bool) -> Quality:
    proposals = list(
        matching_round.proposals.select_related(
            "mentee__person__org_unit",
            "mentor__person__org_unit",
            "mentee__person__organisation",
            "mentor__person__organisation",
        )
    )
    unmatched = list(matching_round.unmatched.select_related("participant"))
    suggested = set(matching_round.suggestions.values_list("mentee_id", flat=True))
    chosen = mentees_who_chose(matching_round)

    def stated(mentee: Any) -> bool:
        return stated_wishes(mentee, chosen)

    mentees = {p.mentee_id for p in proposals} | {u.participant_id for u in unmatched} | suggested
    with_preferences = [p for p in proposals if stated(p.mentee)]
    ranked_mentees = len(with_preferences) + sum(1 for u in unmatched if stated(u.participant))
    first = sum(1 for p in with_preferences if p.preference_rank == 1)
    top3 = sum(1 for p in with_preferences if p.preference_rank and p.preference_rank <= 3)
    checks: dict[str, Any] = {
        "department": lambda a, b: (
            a.org_unit_id
            and b.org_unit_id
            and (a.org_unit.parent_id or a.org_unit_id) != (b.org_unit.parent_id or b.org_unit_id)
        ),
        "location": lambda a, b: a.location and b.location and a.location != b.location,
        "organisation": lambda a, b: a.organisation_id != b.organisation_id,
    }
    if include_gender:
        checks["gender"] = lambda a, b: a.gender and b.gender and a.gender != b.gender
    different = {
        name: (
            sum(1 for p in proposals if check(p.mentee.person, p.mentor.person)) / len(proposals)
        )
        if proposals
        else 0.0
        for name, check in checks.items()
    }
    mentees_by_org: Counter[str] = Counter(p.mentee.person.organisation.name for p in proposals)
    mentors_by_org: Counter[str] = Counter()
    for mentor_org in {(p.mentor_id, p.mentor.person.organisation.name) for p in proposals}:
        mentors_by_org[mentor_org[1]] += 1
    organisations = sorted(
        (name, mentees_by_org[name], mentors_by_org[name])
        for name in set(mentees_by_org) | set(mentors_by_org)
    )
    # Until a suggestion round's choices are settled, no choice has been met or missed.
    settling = matching_round.kind == "suggestions" and not proposals
    shares = ranked_mentees > 0 and not settling
    scores = [p.score for p in proposals]
    return Quality(
        mentees=len(mentees),
        matched=len(proposals),
        first_choice_share=first / ranked_mentees if shares else None,
        top3_choice_share=top3 / ranked_mentees if shares else None,
        different=different,
        organisations=organisations,
        locked=sum(1 for p in proposals if p.locked),
        manual=sum(1 for p in proposals if p.manual),
        suggested=len(suggested),
        chosen=len(chosen),
        mean_score=statistics.fmean(scores) if scores else None,
        median_score=statistics.median(scores) if scores else None,
        unmatched=len(unmatched),
    )
