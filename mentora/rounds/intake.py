"""What the programme team sees of a rolling programme's intake: the mentees waiting to be
matched (with their latest on-demand round) and every mentor's places, pairs at work and
availability, as the next match would read them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from mentora.people.models import label_related
from mentora.programmes.models import Participant, ParticipantRole, ParticipantStatus, Programme
from mentora.rounds.models import MatchingRound
from mentora.rounds.problem import MENTOR_POOL_STATUSES, pairs_at_work


@dataclass(frozen=True)
class MentorPlaces:
    mentor: Participant
    places: int
    at_work: int
    available: bool

    @property
    def free(self) -> int:
        """Places for someone new today: none while unavailable or full."""
        return max(0, self.places - self.at_work) if self.available else 0


@dataclass(frozen=True)
class Intake:
    waiting: list[tuple[Participant, MatchingRound | None]]
    mentors: list[MentorPlaces]

    @property
    def free_places(self) -> int:
        return sum(row.free for row in self.mentors)


def rolling_intake(programme: Programme, *, today: dt.date | None = None) -> Intake:
    """The ready mentees, each with their latest on-demand round, and the mentors who are
    ready or at work with their places, as of `today`."""
    today = today or timezone.localdate()
    mentors = list(
        Participant.objects.filter(
            programme=programme, role=ParticipantRole.MENTOR, status__in=MENTOR_POOL_STATUSES
        ).select_related("programme", *label_related("person"))
    )
    taken = pairs_at_work(m.pk for m in mentors)
    rows = [MentorPlaces(m, m.mentee_capacity, taken[m.pk], m.available_on(today)) for m in mentors]
    waiting = list(
        Participant.objects.filter(
            programme=programme, role=ParticipantRole.MENTEE, status=ParticipantStatus.READY
        ).select_related(*label_related("person"))
    )
    latest: dict[int, MatchingRound] = {}
    for matching_round in MatchingRound.objects.filter(mentee__in=waiting).order_by("number"):
        assert matching_round.mentee_id is not None
        latest[matching_round.mentee_id] = matching_round
    return Intake(waiting=[(m, latest.get(m.pk)) for m in waiting], mentors=rows)
