""" "Mentee chooses": mentees rank the mentors suggested to them, then the engine settles
contention for the same mentors."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.matching import (
    ExplicitPairs,
    Problem,
    match,
)
from mentora.programmes.models import Participant
from mentora.rounds import tasks
from mentora.rounds.models import (
    MatchingRound,
    Proposal,
    RoundStatus,
    Suggestion,
    UnmatchedParticipant,
)
from mentora.rounds.problem import (
    build_input,
)
from mentora.rounds.quality import quality_forget
from mentora.rounds.services.rounds import _editable, _in_mode, _preference_rank, _round_move


@transaction.atomic
def round_open_choosing(*, matching_round: MatchingRound, actor: Any) -> int:
    """Show each mentee their own suggestions and ask them to choose; returns mentees asked."""

    matching_round = _editable(matching_round)
    if matching_round.kind != "suggestions" or not matching_round.suggestions.exists():
        raise ValidationError(_("This round has no suggestions to choose from."))
    if matching_round.proposals.exists():
        raise ValidationError(_("The mentees' choices have already been settled."))
    mentee_ids = sorted(set(matching_round.suggestions.values_list("mentee_id", flat=True)))
    _round_move(
        matching_round,
        RoundStatus.CHOOSING,
        actor=actor,
        action="rounds.round.open_choosing",
        changes={"mentees": len(mentee_ids)},
    )
    for mentee_id in mentee_ids:
        transaction.on_commit(
            partial(tasks.send_choice_invitation.enqueue, matching_round.pk, mentee_id)
        )
    return len(mentee_ids)


def round_offer_on_demand(*, matching_round: MatchingRound) -> MatchingRound:
    """An on-demand round's suggestions go to its mentee as soon as the engine is done: the
    mentee chooses without waiting for the manager. A round without any stays for review."""
    if (
        matching_round.mentee_id is None
        or matching_round.status != RoundStatus.DONE
        or matching_round.kind != "suggestions"
        or not matching_round.suggestions.exists()
    ):
        return matching_round
    round_open_choosing(matching_round=matching_round, actor=matching_round.created_by)
    return MatchingRound.objects.get(pk=matching_round.pk)


@transaction.atomic
def mentee_rank(
    *, matching_round: MatchingRound, mentee: Participant, mentor_ids: list[int], actor: Any
) -> None:
    """Record a mentee's ranking of their own suggestions (most wanted first)."""
    # Read the round again under lock: the manager may have closed choosing meanwhile.
    matching_round = MatchingRound.objects.select_for_update().get(pk=matching_round.pk)
    if matching_round.status != RoundStatus.CHOOSING:
        raise ValidationError(_("Choosing is closed for this round."))
    own = {s.mentor_id: s for s in matching_round.suggestions.filter(mentee=mentee)}
    if not mentor_ids or len(set(mentor_ids)) != len(mentor_ids) or set(mentor_ids) - set(own):
        raise ValidationError(_("Choose among the mentors suggested to you, each once."))
    for suggestion in own.values():
        suggestion.choice_rank = None
    for position, mentor_id in enumerate(mentor_ids, start=1):
        own[mentor_id].choice_rank = position
    Suggestion.objects.bulk_update(list(own.values()), ["choice_rank"])
    quality_forget(round_id=matching_round.pk)
    # Which mentors a mentee ranked is theirs and the manager's; the log keeps only the fact.
    audit_log(
        actor=actor,
        action="rounds.choice.rank",
        obj=matching_round,
        programme=matching_round.programme,
        changes={"mentee": mentee.pk, "ranked": len(mentor_ids)},
    )


@transaction.atomic
def round_resolve_choices(*, matching_round: MatchingRound, actor: Any) -> MatchingRound:
    """Settle contention: as many mentees as possible get a mentor, each as high on their
    own list as the others allow. Mentees who did not choose keep the engine's order.

    The round's row is locked first and its status read again: of two managers settling
    at once, the second waits, then is told the choices are already settled."""

    matching_round = (
        MatchingRound.objects.select_for_update(of=("self",))
        .select_related("programme__organisation")
        .get(pk=matching_round.pk)
    )
    if matching_round.status != RoundStatus.CHOOSING:
        if matching_round.kind == "suggestions" and matching_round.proposals.exists():
            raise ValidationError(_("The mentees' choices have already been settled."))
        raise ValidationError(_("Only a round in which mentees are choosing can be settled."))
    suggestions = list(matching_round.suggestions.select_related("mentee", "mentor"))
    data = build_input(
        matching_round.programme,
        participants={*[s.mentee for s in suggestions], *[s.mentor for s in suggestions]},
    )
    mentee_ids = list(data.mentees)
    mentor_ids = list(data.mentors)
    index_of_mentee = {k: i for i, k in enumerate(mentee_ids)}
    index_of_mentor = {k: i for i, k in enumerate(mentor_ids)}
    longest = max((s.rank for s in suggestions), default=1) + 1
    rows, cols, scores = [], [], []
    for s in suggestions:
        position = s.choice_rank or (longest + s.rank)
        rows.append(index_of_mentee[str(s.mentee.person_id)])
        cols.append(index_of_mentor[str(s.mentor.person_id)])
        # Rank dominates; the engine's own score only breaks ties between equal ranks.
        scores.append(1000.0 * (2 * longest - position) + s.score)
    problem = Problem(
        mentees=data.problem.mentees,
        mentors=data.problem.mentors,
        pairs=ExplicitPairs(np.array(rows), np.array(cols), np.array(scores, dtype=float)),
    )
    result = match(problem=problem, policy=_in_mode(data.policy, "optimal"))
    by_pair = {(s.mentee_id, s.mentor_id): s for s in suggestions}
    proposals = []
    for found in result.matches:
        mentee, mentor = data.mentees[found.mentee_id], data.mentors[found.mentor_id]
        s = by_pair[(mentee.pk, mentor.pk)]
        contributions = list(s.contributions)
        if s.choice_rank:
            # The mentee's own ranking replaces the questionnaire's: one choice, said once.
            contributions = [
                {
                    "criterion": "mentee_preference",
                    "points": 0.0,
                    "detail": {"rank": s.choice_rank},
                    "text": "",
                },
                *[c for c in contributions if c["criterion"] != "mentee_preference"],
            ]
        proposals.append(
            Proposal(
                matching_round=matching_round,
                mentee_id=mentee.pk,
                mentor_id=mentor.pk,
                score=s.score,
                explanation="",
                contributions=contributions,
                # Who did not rank keeps the preferences stated in the questionnaire.
                preference_rank=s.choice_rank or _preference_rank(mentee, str(mentor.person_id)),
            )
        )
    Proposal.objects.bulk_create(proposals)
    UnmatchedParticipant.objects.bulk_create(
        [
            UnmatchedParticipant(
                matching_round=matching_round,
                participant_id=data.mentees[u.mentee_id].pk,
                reason_code="capacity_exhausted",
                reason=u.reason,
            )
            for u in result.unmatched
        ],
        ignore_conflicts=True,
    )
    quality_forget(round_id=matching_round.pk)
    _round_move(
        matching_round,
        RoundStatus.DONE,
        actor=actor,
        action="rounds.round.resolve_choices",
        changes={"matched": len(proposals)},
    )
    return matching_round
