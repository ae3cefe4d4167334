"""Two people of the same name are told apart wherever someone is chosen or listed."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import make_person
from mentora.people.models import Person
from mentora.programmes.models import Participant
from mentora.rounds.models import MatchingRound
from mentora.rounds.services import choices, proposals
from mentora.rounds.tests.conftest import run_round

OURS = "Acme Energy · Field · Sales lead"
THEIRS = "Other Works · Engineer"


@pytest.fixture
def twins(cohort: Any) -> Any:
    """Another Mo Mentor, from another organisation, applied to mentor in the programme."""
    Person.objects.filter(pk=cohort.mo.person_id).update(job_title="Sales lead")
    twin = make_person(
        cohort.personas.other_organisation, "T1", "Mo", "Mentor", job_title="Engineer"
    )
    cohort.twin = Participant.objects.create(
        programme=cohort.programme, person=twin, role="mentor", status="approved"
    )
    return cohort


def run(cohort: Any) -> MatchingRound:
    return run_round(cohort)


def page(client_for: Any, cohort: Any, url: str, **query: Any) -> str:
    return client_for(cohort.personas.manager).get(url, query).content.decode()


def test_a_person_is_labelled_with_organisation_unit_and_job_title(twins: Any) -> None:
    mo = Person.objects.get(pk=twins.mo.person_id)
    assert mo.context == OURS
    assert mo.label == f"Mo Mentor ({OURS})"
    assert twins.twin.person.label == f"Mo Mentor ({THEIRS})"
    assert Person(first_name="No", last_name="Body", organisation=mo.organisation).label == (
        "No Body (Acme Energy)"
    )


def test_the_review_screen_tells_the_two_apart(client_for: Any, twins: Any) -> None:
    matching_round = run(twins)
    html = page(client_for, twins, reverse("round_detail", args=[matching_round.pk]))
    # In the proposed pairs, and among the mentors found by name to match by hand.
    assert f'<span class="person-context">{OURS}</span>' in html
    html = page(client_for, twins, reverse("round_detail", args=[matching_round.pk]), mentor_q="Mo")
    assert f">Mo Mentor ({OURS})</option>" in html
    assert f">Mo Mentor ({THEIRS})</option>" in html


def test_why_not_tells_the_two_apart(client_for: Any, twins: Any) -> None:
    matching_round = run(twins)
    html = page(
        client_for,
        twins,
        reverse("round_why_not", args=[matching_round.pk]),
        mentee=twins.junior.pk,
        mentor=twins.twin.pk,
    )
    assert THEIRS in html and "Acme Energy · Apps" in html


def test_the_pairs_and_a_comparison_tell_the_two_apart(client_for: Any, twins: Any) -> None:
    first = run(twins)
    second = run(twins)
    html = page(client_for, twins, reverse("round_compare", args=[first.pk]), **{"with": second.pk})
    assert OURS in html
    proposals.round_publish(matching_round=first, actor=twins.personas.manager)
    html = page(client_for, twins, reverse("programme_pairs", args=[twins.programme.pk]))
    assert OURS in html and "Acme Energy · Apps" in html


def test_a_mentee_choosing_sees_who_each_mentor_is(client_for: Any, twins: Any) -> None:
    twins.programme.influence_mode = "mentee_chooses"
    twins.programme.save()
    matching_round = run(twins)
    choices.round_open_choosing(matching_round=matching_round, actor=twins.personas.manager)
    html = client_for(twins.personas.mentee).get(reverse("my_matching")).content.decode()
    assert OURS in html
