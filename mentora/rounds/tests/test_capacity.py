"""The programme's "maximum mentees per mentor" caps every mentor, on every path.

Mo offers two places, but the programme allows one mentee per mentor: the programme wins
in a round, when matching by hand, when rematching and when publishing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from mentora.programmes.models import Participant
from mentora.relationships.models import Pair
from mentora.rounds.models import MatchingRound, Proposal
from mentora.rounds.problem import build_input
from mentora.rounds.services import introductions, proposals
from mentora.rounds.tests.conftest import add_finn, assign, run_round


@pytest.fixture
def generous(cohort: Any) -> Any:
    """Mo offers two places in a programme of one mentee per mentor; Finn, like Jo, can
    only be matched with Mo (Tina and Bo are not ready)."""
    assert cohort.programme.max_mentees_per_mentor == 1
    cohort.mo.profile = {**cohort.mo.profile, "capacity": 2}
    cohort.mo.save()
    Participant.objects.filter(pk__in=[cohort.tina.pk, cohort.bo.pk, cohort.eva.pk]).update(
        status="approved"
    )
    cohort.finn = add_finn(cohort, ["leadership"])
    return cohort


def run(cohort: Any) -> MatchingRound:
    return run_round(cohort)


def test_a_mentors_capacity_never_exceeds_the_programmes_maximum(generous: Any) -> None:
    assert generous.mo.mentee_capacity == 1
    generous.programme.max_mentees_per_mentor = 3
    generous.programme.save()
    assert Participant.objects.get(pk=generous.mo.pk).mentee_capacity == 2


def test_the_round_gives_the_engine_the_programmes_cap(generous: Any) -> None:
    data = build_input(generous.programme)
    assert [m.capacity for m in data.problem.mentors] == [1]
    matching_round = run(generous)
    assert matching_round.proposals.filter(mentor=generous.mo).count() == 1
    assert matching_round.unmatched.count() == 1


def test_matching_by_hand_refuses_a_mentor_over_the_programmes_cap(generous: Any) -> None:
    matching_round = run(generous)
    left_out = matching_round.unmatched.get().participant
    with pytest.raises(ValidationError, match="at most"):
        assign(generous, matching_round, left_out, generous.mo)
    assert matching_round.proposals.filter(mentor=generous.mo).count() == 1


def test_publishing_refuses_a_mentor_over_the_programmes_cap(generous: Any) -> None:
    matching_round = run(generous)
    left_out = matching_round.unmatched.get().participant
    # Slipped past the checks, as if written by an older version.
    Proposal.objects.create(
        matching_round=matching_round, mentee=left_out, mentor=generous.mo, score=1.0
    )
    with pytest.raises(ValidationError, match="at most"):
        proposals.round_publish(matching_round=matching_round, actor=generous.personas.manager)
    assert not Pair.objects.exists()


def test_a_rematch_counts_the_mentors_pairs_at_work(generous: Any) -> None:
    first = run(generous)
    proposals.round_publish(matching_round=first, actor=generous.personas.manager)
    assert Pair.objects.active().filter(mentor=generous.mo).count() == 1
    # Mo is back in the pool (another of Mo's matches ended) while still mentoring one.
    Participant.objects.filter(pk=generous.mo.pk).update(status="ready")
    second = run(generous)
    assert not second.proposals.filter(mentor=generous.mo).exists()
    assert Pair.objects.active().filter(mentor=generous.mo).count() == 1
    with pytest.raises(ValidationError, match="at most"):
        assign(generous, second, second.unmatched.get().participant, generous.mo)


def test_mutual_opt_in_introduces_no_mentor_over_the_programmes_cap(generous: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    Participant.objects.filter(pk=generous.tina.pk).update(status="ready")
    generous.programme.influence_mode = "mutual_opt_in"
    generous.programme.save()
    matching_round = run(generous)
    introductions.round_introduce(matching_round=matching_round, actor=generous.personas.manager)
    to_mo = matching_round.introductions.get(mentor=generous.mo)
    assert to_mo.mentee == generous.junior
    introductions.introduction_answer(
        introduction=to_mo, actor=generous.personas.mentee, accept=True
    )
    introductions.introduction_answer(
        introduction=to_mo, actor=generous.personas.mentor, accept=True
    )
    # Finn's introduction to Tina goes unanswered: Mo, who now mentors Jo, is full.
    introductions.introductions_sweep(now=timezone.now() + dt.timedelta(days=30))
    assert not matching_round.introductions.filter(mentee=generous.finn, mentor=generous.mo)
    assert matching_round.unmatched.get(participant=generous.finn).reason_code == (
        "no_more_mentors"
    )
