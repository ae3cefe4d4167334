"""Managers clicking the same button at once: one settles, the others are told so."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import make_personas, post_at_once
from mentora.core.models import AuditEntry
from mentora.rounds.models import MatchingRound, Proposal, RoundStatus
from mentora.rounds.services import choices, proposals, rounds
from mentora.rounds.tests.conftest import make_cohort


def choosing(cohort: Any) -> MatchingRound:
    cohort.programme.influence_mode = "mentee_chooses"
    cohort.programme.save()
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    matching_round = rounds.round_run(round_id=matching_round.pk)
    choices.round_open_choosing(matching_round=matching_round, actor=cohort.personas.manager)
    return MatchingRound.objects.get(pk=matching_round.pk)


def test_settling_twice_settles_once_and_says_so(cohort: Any) -> None:
    matching_round = choosing(cohort)
    choices.round_resolve_choices(matching_round=matching_round, actor=cohort.personas.manager)
    # The second manager still holds the page (and the round) as it was before.
    stale = MatchingRound.objects.get(pk=matching_round.pk)
    stale.status = RoundStatus.CHOOSING
    with pytest.raises(ValidationError, match="already been settled"):
        choices.round_resolve_choices(matching_round=stale, actor=cohort.personas.manager)
    assert Proposal.objects.filter(matching_round=matching_round).count() == 2
    assert AuditEntry.objects.filter(action="rounds.round.resolve_choices").count() == 1


@pytest.mark.django_db(transaction=True)
def test_three_simultaneous_settles_give_one_result_and_no_error() -> None:
    cohort = make_cohort(make_personas())
    matching_round = choosing(cohort)
    url = reverse("round_resolve", args=[matching_round.pk])
    answers = post_at_once(cohort.personas.manager, url, {"confirm": "on"}, times=3)
    assert sorted(status for status, _said in answers) == [302, 302, 302]
    refused = [said for _status, said in answers if said]
    assert len(refused) == 2
    assert all("already been settled" in " ".join(said) for said in refused)
    assert MatchingRound.objects.get(pk=matching_round.pk).status == RoundStatus.DONE
    assert Proposal.objects.filter(matching_round=matching_round).count() == 2
    assert AuditEntry.objects.filter(action="rounds.round.resolve_choices").count() == 1


def test_removing_the_same_proposal_twice_removes_it_once_and_says_so(cohort: Any) -> None:
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    matching_round = rounds.round_run(round_id=matching_round.pk)
    proposal = matching_round.proposals.get(mentee=cohort.eva)
    proposals.proposal_remove(proposal=proposal, actor=cohort.personas.manager)
    with pytest.raises(ValidationError, match="no longer proposed"):
        proposals.proposal_remove(proposal=proposal, actor=cohort.personas.manager)
    assert matching_round.unmatched.filter(participant=cohort.eva).count() == 1
    assert AuditEntry.objects.filter(action="rounds.proposal.remove").count() == 1


def test_opening_choosing_twice_invites_each_mentee_once(
    cohort: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cohort.programme.influence_mode = "mentee_chooses"
    cohort.programme.save()
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    matching_round = rounds.round_run(round_id=matching_round.pk)
    with django_capture_on_commit_callbacks() as first:
        choices.round_open_choosing(matching_round=matching_round, actor=cohort.personas.manager)
    # The second click still holds the round as it was when the page was drawn.
    stale = MatchingRound.objects.get(pk=matching_round.pk)
    stale.status = RoundStatus.DONE
    with django_capture_on_commit_callbacks() as second, pytest.raises(ValidationError):
        choices.round_open_choosing(matching_round=stale, actor=cohort.personas.manager)
    assert (len(first), len(second)) == (2, 0)
