"""The application form asks what it says: "up to" means up to, and an empty list of
mentors says why it is empty and when it fills."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from mentora.programmes.forms import ApplicationForm
from mentora.programmes.models import Participant, Question
from mentora.programmes.services import questionnaire
from mentora.programmes.tests.conftest import invite


def required_themes(setup: Any) -> Question:
    Question.objects.filter(pk=setup.themes.pk).update(required=True)
    return Question.objects.get(pk=setup.themes.pk)


def invited(setup: Any) -> Participant:
    p = setup.personas
    return invite(setup, p.people["junior"], "mentee")


def test_a_required_ranking_asks_the_browser_for_the_first_choice_only(
    client_for: Any, setup: Any
) -> None:
    themes = required_themes(setup)
    page = (
        client_for(setup.personas.mentee)
        .get(reverse("participant_apply", args=[invited(setup).pk]))
        .content.decode()
    )
    selects = re.findall(rf'<select name="q{themes.pk}_\d"[^>]*>', page)
    assert len(selects) == 3
    assert ["required" in tag for tag in selects] == [True, False, False]
    assert "Choose up to three, most important first." in page


def test_a_required_ranking_accepts_one_two_or_three_choices(setup: Any) -> None:
    themes = required_themes(setup)
    for chosen in (["Career"], ["Career", "Networking"], ["Career", "Networking", "Leadership"]):
        data = {f"q{themes.pk}_{n}": value for n, value in enumerate(chosen)}
        form = ApplicationForm(data, questions=[themes], mentors=[])
        assert form.is_valid(), form.errors
        assert form.answers()[str(themes.pk)] == chosen
    empty = ApplicationForm({}, questions=[themes], mentors=[])
    assert not empty.is_valid()
    assert f"q{themes.pk}" in empty.errors


def test_a_ranking_offers_no_more_ranks_than_there_are_choices(setup: Any) -> None:
    two = questionnaire.question_add(
        programme=setup.programme,
        role="mentee",
        text="Where?",
        kind="ranked_themes",
        choices=["Aarhus", "Oslo"],
        required=True,
        actor=setup.personas.manager,
    )
    html = str(ApplicationForm(questions=[two], mentors=[])[f"q{two.pk}"])
    assert html.count("<select") == 2
    assert ApplicationForm({f"q{two.pk}_0": "Oslo"}, questions=[two], mentors=[]).is_valid()


def test_no_mentor_to_choose_yet_says_why_and_when_and_does_not_block(
    client_for: Any, setup: Any
) -> None:
    Question.objects.filter(pk=setup.preferred.pk).update(required=True)
    participant = invited(setup)
    client = client_for(setup.personas.mentee)
    url = reverse("participant_apply", args=[participant.pk])
    page = client.get(url).content.decode()
    assert "No mentor has applied yet" in page
    assert "as soon as mentors apply" in page
    response = client.post(url, {f"q{setup.themes.pk}_0": "Career", f"q{setup.goals.pk}": "Grow"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.status != "invited"


def test_the_mentors_appear_once_they_have_applied(client_for: Any, setup: Any) -> None:
    Participant.objects.create(
        programme=setup.programme, person=setup.mentor_person, role="mentor", status="applied"
    )
    page = (
        client_for(setup.personas.mentee)
        .get(reverse("participant_apply", args=[invited(setup).pk]))
        .content.decode()
    )
    assert "No mentor has applied yet" not in page
    assert "Mo Mentor (Acme Energy)" in page
