"""A match that ended is never proposed again in the same programme.

Jo and Mo are matched, then end their match without blame: both go back to the pool,
and every later round, suggestion, introduction or hand match keeps them apart.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentora.programmes.models import Participant
from mentora.rounds.models import MatchingRound
from mentora.rounds.services import proposals
from mentora.rounds.tests.conftest import add_finn, assign, run_round


def run(cohort: Any) -> MatchingRound:
    return run_round(cohort)


@pytest.fixture
def ended(cohort: Any) -> Any:
    """Jo and Mo were matched and ended; Finn, a new mentee, may have Mo or anyone."""
    pairs = proposals.round_publish(matching_round=run(cohort), actor=cohort.personas.manager)
    pair = next(p for p in pairs if p.mentee == cohort.junior)
    proposals.pair_end(pair=pair, actor=cohort.personas.mentee, reason="No chemistry")
    return cohort


def test_a_rematch_never_proposes_the_mentor_the_pair_ended_with(ended: Any) -> None:
    assert Participant.objects.get(pk=ended.junior.pk).status == "ready"
    assert Participant.objects.get(pk=ended.mo.pk).status == "ready"
    rematch = run(ended)
    assert not rematch.proposals.filter(mentee=ended.junior, mentor=ended.mo).exists()
    # Mo was the only mentor Jo's hard rules allowed: Jo waits, with the reason.
    assert rematch.unmatched.filter(participant=ended.junior).exists()


def test_matching_the_ended_pair_by_hand_is_refused_with_the_reason(ended: Any) -> None:
    rematch = run(ended)
    with pytest.raises(ValidationError, match="ended"):
        assign(ended, rematch, ended.junior, ended.mo)
    assert not rematch.proposals.filter(mentee=ended.junior).exists()


def test_the_ended_pair_stays_apart_when_the_programme_ignores_exclusions(ended: Any) -> None:
    policy = dict(ended.programme.matching_policy)
    policy["constraints"] = {**policy.get("constraints", {}), "exclude": False}
    ended.programme.matching_policy = policy
    ended.programme.save()
    rematch = run(ended)
    assert not rematch.proposals.filter(mentee=ended.junior, mentor=ended.mo).exists()


def test_a_mentee_who_chooses_is_not_offered_the_mentor_the_pair_ended_with(ended: Any) -> None:
    ended.programme.influence_mode = "mentee_chooses"
    ended.programme.save()
    rematch = run(ended)
    assert not rematch.suggestions.filter(mentee=ended.junior, mentor=ended.mo).exists()


def test_why_not_says_the_two_were_a_pair_that_ended(client_for: Any, ended: Any) -> None:
    rematch = run(ended)
    response = client_for(ended.personas.manager).get(
        reverse("round_why_not", args=[rematch.pk]),
        {"mentee": ended.junior.pk, "mentor": ended.mo.pk},
    )
    page = response.content.decode()
    assert "were matched in this programme and the match ended" in page
    assert "asked not to be matched" not in page


def test_the_mentor_of_an_ended_pair_may_be_matched_with_someone_else(ended: Any) -> None:
    finn = add_finn(ended, ["leadership"])
    rematch = run(ended)
    assert rematch.proposals.get(mentee=finn).mentor == ended.mo
