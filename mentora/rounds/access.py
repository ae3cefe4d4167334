"""Who may see a matching round, its proposals, suggestions and introductions."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from mentora.accounts.access import Viewer, refuse
from mentora.programmes.access import access_programme, can_manage_programme
from mentora.programmes.models import Participant
from mentora.rounds.models import Introduction, MatchingRound, Proposal


def access_round(user: Viewer, round_id: int) -> MatchingRound:
    """A matching round: only those running the programme see proposals and scores.

    Sponsors and others in a taking-part organisation get 403, outsiders 404.
    """
    matching_round = get_object_or_404(
        MatchingRound.objects.select_related("programme__organisation", "previous"), pk=round_id
    )
    # Reading a round already means seeing who could be matched with whom: managers only.
    access_programme(user, matching_round.programme_id, write=True)
    return matching_round


def access_proposal(user: Viewer, round_id: int, proposal_id: int) -> Proposal:
    """A proposal of a round the user may manage."""
    matching_round = access_round(user, round_id)
    return get_object_or_404(
        matching_round.proposals.select_related(
            "mentee__person", "mentor__person", "matching_round__programme"
        ),
        pk=proposal_id,
    )


def access_own_suggestions(user: Viewer, round_id: int) -> tuple[MatchingRound, Participant]:
    """The round and the user's own mentee participation in it, to choose among their
    suggestions. Nobody else, managers included, chooses for a mentee."""
    matching_round = get_object_or_404(
        MatchingRound.objects.select_related("programme"), pk=round_id
    )
    suggestion = (
        matching_round.suggestions.filter(mentee__user_id=user.pk).select_related("mentee").first()
        if user.is_authenticated and user.pk is not None
        else None
    )
    # The mentee whose suggestions these are.
    if suggestion is not None:
        return matching_round, suggestion.mentee
    refuse(user, matching_round.programme.organisation_ids())


def access_introduction(
    user: Viewer, introduction_id: int, *, answer: bool = False
) -> Introduction:
    """An introduction: the two people introduced answer it; managers may only read it."""
    introduction = get_object_or_404(
        Introduction.objects.select_related(
            "matching_round__programme", "mentee__person", "mentor__person"
        ),
        pk=introduction_id,
    )
    # The mentee and the mentor introduced.
    if introduction.side_of(user) is not None:
        return introduction
    programme = introduction.matching_round.programme
    # Managers follow introductions but never answer for someone.
    if can_manage_programme(user, programme) and not answer:
        return introduction
    refuse(user, programme.organisation_ids())
