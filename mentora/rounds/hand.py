"""Whom the review's "match by hand" offers: a few at a time, never the whole programme.

A round of 20,000 participants listed in two selects made a page of megabytes. The page
lists only the round's unmatched (the mentees it left out, the mentors it gave no one),
a few dozen at most; anyone else on that side is found by name, through the people picker
with JavaScript and a search box that submits without it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from mentora.programmes.models import Participant, ParticipantRole
from mentora.rounds.models import MatchingRound

# The most people a select lists without a search (a search answers as every picker does).
HAND_OPTIONS = 50


def hand_candidates(
    matching_round: MatchingRound, *, role: str, text: str = ""
) -> QuerySet[Participant]:
    """The round's programme's participants on one side (`role`) whose first or last name
    begins with each word of `text`; with nothing typed, those the round left unmatched.
    In order of name."""
    people = Participant.objects.filter(programme_id=matching_round.programme_id, role=role)
    words = text.split()
    for word in words:
        people = people.filter(
            Q(person__first_name__istartswith=word) | Q(person__last_name__istartswith=word)
        )
    if not words and role == ParticipantRole.MENTEE:
        # The unmatched are few and read first: asked as a subquery, a planner that has not
        # yet measured a new round's tables joins every mentee to their person before it.
        unmatched = matching_round.unmatched.values_list("participant_id", flat=True)
        people = people.filter(pk__in=list(unmatched))
    elif not words:
        people = people.exclude(pk__in=matching_round.proposals.values("mentor_id"))
    return people.order_by("person__last_name", "person__first_name", "pk")
