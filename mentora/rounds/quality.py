"""The quality summary a programme manager reads before publishing a round."""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import F

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


class _Side(NamedTuple):
    """What the quality summary compares of a proposal's mentee or mentor."""

    org_unit_id: int | None
    department: int | None
    location: str
    organisation_id: int
    organisation: str
    gender: str


class _Row(NamedTuple):
    """A proposal as the quality summary reads it: its columns and its two people, read
    as plain values so that a round of 20,000 costs no model object per proposal."""

    pk: int
    mentee_id: int
    mentor_id: int
    score: float
    locked: bool
    manual: bool
    preference_rank: int | None
    mentee: Any
    mentee_person: _Side
    mentor_person: _Side


class _Mentee:
    """Enough of a mentee for `stated_wishes`."""

    def __init__(self, pk: int, profile: Any) -> None:
        self.pk = pk
        self.profile = profile


def _side(prefix: str) -> list[str]:
    person = f"{prefix}__person"
    return [
        f"{person}__org_unit_id",
        f"{person}__org_unit__parent_id",
        f"{person}__location",
        f"{person}__organisation_id",
        f"{person}__organisation__name",
        f"{person}__gender",
    ]


def _rows(matching_round: MatchingRound) -> list[_Row]:
    columns = ["pk", "mentee_id", "mentor_id", "score", "locked", "manual", "preference_rank"]
    rows = []
    for values in matching_round.proposals.values_list(
        # Of each mentee's answers only the preferences, rather than the whole profile to
        # decode for each of a large round's proposals.
        *columns,
        "mentee__profile__preferences",
        *_side("mentee"),
        *_side("mentor"),
    ):
        pk, mentee_id, mentor_id, score, locked, manual, rank = values[:7]
        preferences, mentee, mentor = values[7], values[8:14], values[14:]
        rows.append(
            _Row(
                pk=pk,
                mentee_id=mentee_id,
                mentor_id=mentor_id,
                score=score,
                locked=locked,
                manual=manual,
                preference_rank=rank,
                mentee=_Mentee(mentee_id, {"preferences": preferences}),
                mentee_person=_Side(mentee[0], mentee[1] or mentee[0], *mentee[2:]),
                mentor_person=_Side(mentor[0], mentor[1] or mentor[0], *mentor[2:]),
            )
        )
    return rows


def round_quality(matching_round: MatchingRound, *, include_gender: bool) -> Quality:
    """The round's quality summary, as stored (`quality_compute` once after each change);
    the gender figure only for a reader who may see it."""
    quality = _summary(matching_round)[0]
    if not include_gender:
        quality.different.pop("gender", None)
    return quality


def round_score_cuts(matching_round: MatchingRound) -> ScoreCuts | None:
    """Where the round's scores split into thirds, as stored with its quality summary."""
    return _summary(matching_round)[1]


def quality_forget(*, round_id: int) -> None:
    """Empty a round's stored quality summary: called by every service that changes its
    proposals, unmatched or suggestions, in the same transaction."""
    MatchingRound.objects.filter(pk=round_id).update(
        quality=None, quality_version=F("quality_version") + 1
    )


def quality_store(*, matching_round: MatchingRound) -> None:
    """Compute a round's quality summary and store it, as its result is stored, so that
    even the first view of its review reads no proposal."""
    quality, cuts = quality_compute(matching_round)
    MatchingRound.objects.filter(pk=matching_round.pk).update(
        quality=_as_json(quality, cuts), quality_version=F("quality_version") + 1
    )


def _summary(matching_round: MatchingRound) -> tuple[Quality, ScoreCuts | None]:
    """The stored summary, read afresh (a service may have emptied it since the round was
    read), or computed and stored if there is none."""
    stored, version = (
        MatchingRound.objects.filter(pk=matching_round.pk)
        .values_list("quality", "quality_version")
        .get()
    )
    if stored is None:
        quality, cuts = quality_compute(matching_round)
        stored = _as_json(quality, cuts)
        # Stored only if no change came in while it was computed; else the next read
        # computes it again.
        MatchingRound.objects.filter(pk=matching_round.pk, quality_version=version).update(
            quality=stored
        )
    return _from_json(stored)


def _as_json(quality: Quality, cuts: ScoreCuts | None) -> dict[str, Any]:
    return {
        "quality": dataclasses.asdict(quality),
        "cuts": [cuts.strong, cuts.good] if cuts else None,
    }


def _from_json(stored: dict[str, Any]) -> tuple[Quality, ScoreCuts | None]:
    fields = dict(stored["quality"])
    fields["organisations"] = [tuple(row) for row in fields["organisations"]]
    fields["different"] = dict(fields["different"])
    cuts = stored["cuts"]
    return Quality(**fields), ScoreCuts(strong=cuts[0], good=cuts[1]) if cuts else None


def quality_compute(matching_round: MatchingRound) -> tuple[Quality, ScoreCuts | None]:
    """The quality summary and the score bands, read from every proposal of the round."""
    computed = _compute(matching_round)
    return computed.quality, score_cuts(computed.scores)


def _compute(matching_round: MatchingRound) -> _Computed:
    proposals = _rows(matching_round)
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
        # The department is the unit's parent (a team's), else the unit itself.
        "department": lambda a, b: a.org_unit_id and b.org_unit_id and a.department != b.department,
        "location": lambda a, b: a.location and b.location and a.location != b.location,
        "organisation": lambda a, b: a.organisation_id != b.organisation_id,
    }
    # Stored with the gender figure; `round_quality` leaves it out for a reader who may not
    # see it.
    checks["gender"] = lambda a, b: a.gender and b.gender and a.gender != b.gender
    different = {
        name: (
            sum(1 for p in proposals if check(p.mentee_person, p.mentor_person)) / len(proposals)
        )
        if proposals
        else 0.0
        for name, check in checks.items()
    }
    mentees_by_org: Counter[str] = Counter(p.mentee_person.organisation for p in proposals)
    mentors_by_org: Counter[str] = Counter()
    for mentor_org in {(p.mentor_id, p.mentor_person.organisation) for p in proposals}:
        mentors_by_org[mentor_org[1]] += 1
    organisations = sorted(
        (name, mentees_by_org[name], mentors_by_org[name])
        for name in set(mentees_by_org) | set(mentors_by_org)
    )
    # Until a suggestion round's choices are settled, no choice has been met or missed.
    settling = matching_round.kind == "suggestions" and not proposals
    shares = ranked_mentees > 0 and not settling
    scores = [p.score for p in proposals]
    quality = Quality(
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
    return _Computed(quality, scores)


class _Computed(NamedTuple):
    quality: Quality
    scores: list[float]
