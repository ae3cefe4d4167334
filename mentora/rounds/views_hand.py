"""The people picker's search behind the review's "match by hand": the round's mentees or
mentors whose names begin with what was typed, as the picker reads them (JSON)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse

from mentora.people.models import Person
from mentora.people.widgets import picker_answer
from mentora.programmes.models import ParticipantRole
from mentora.rounds import access
from mentora.rounds.hand import hand_candidates


@login_required
def round_mentee_search(request: HttpRequest, round_id: int) -> JsonResponse:
    """The programme's mentees matching `?q=`, to match by hand in the round."""
    return _search(request, round_id, role=ParticipantRole.MENTEE)


@login_required
def round_mentor_search(request: HttpRequest, round_id: int) -> JsonResponse:
    """The programme's mentors matching `?q=`, to match by hand in the round."""
    return _search(request, round_id, role=ParticipantRole.MENTOR)


def _search(request: HttpRequest, round_id: int, *, role: str) -> JsonResponse:
    matching_round = access.access_round(request.user, round_id)

    def find(text: str, limit: int) -> list[tuple[int, Person]]:
        found = hand_candidates(matching_round, role=role, text=text).select_related(
            "person__organisation", "person__org_unit"
        )[:limit]
        # The participation is what the hand-matching form chooses.
        return [(participant.pk, participant.person) for participant in found]

    return picker_answer(request, find)
