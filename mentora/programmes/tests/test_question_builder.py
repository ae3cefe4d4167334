"""Managers edit and reorder the questionnaire; a change that would make given answers
wrong is refused with its reason, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from conftest import MANAGERS_ONLY, PERSONAS, WRITE
from mentora.core.models import AuditEntry
from mentora.programmes.models import Question
from mentora.programmes.tests.conftest import mentee_applies


def _order(setup: Any, role: str = "mentee") -> list[tuple[int, int]]:
    return list(
        setup.programme.questions.filter(role=role)
        .order_by("position")
        .values_list("pk", "position")
    )


def _edit_data(question: Question, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "role": question.role,
        "text": question.text,
        "kind": question.kind,
        "choices": "\n".join(question.choices),
        "maps_to": question.maps_to,
    }
    if question.required:
        data["required"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _said(response: Any) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _edit(client: Any, setup: Any, question: Question, **changes: Any) -> Any:
    url = reverse("question_edit", args=[setup.programme.pk, question.pk])
    return client.post(url, _edit_data(question, **changes))


def test_the_manager_rewords_a_question_and_adds_a_choice(client_for: Any, setup: Any) -> None:
    mentee_applies(setup)
    client = client_for(setup.personas.manager)
    response = _edit(
        client,
        setup,
        setup.themes,
        text="What would you like to learn?",
        choices="Leadership\nNetworking\nCareer\nPublic speaking",
        required="on",
    )
    assert response.status_code == 302
    themes = Question.objects.get(pk=setup.themes.pk)
    assert themes.text == "What would you like to learn?"
    assert themes.choices == ["Leadership", "Networking", "Career", "Public speaking"]
    assert themes.required is True
    entry = AuditEntry.objects.get(action="programmes.question.edit", object_id=str(themes.pk))
    assert set(entry.changes) == {"text", "choices", "required"}
    assert entry.changes["required"] == {"old": False, "new": True}


def test_the_edit_page_shows_the_question_as_it_is(client_for: Any, setup: Any) -> None:
    url = reverse("question_edit", args=[setup.programme.pk, setup.themes.pk])
    page = client_for(setup.personas.manager).get(url).content.decode()
    assert 'value="What do you want to learn?"' in page
    assert "Leadership\nNetworking\nCareer</textarea>" in page


def test_an_unanswered_question_may_change_its_kind_and_role(client_for: Any, setup: Any) -> None:
    client = client_for(setup.personas.manager)
    response = _edit(client, setup, setup.goals, kind="short_text", role="mentor")
    assert response.status_code == 302
    goals = Question.objects.get(pk=setup.goals.pk)
    assert (goals.kind, goals.role, goals.position) == ("short_text", "mentor", 2)
    # The mentees' questions close the gap it left.
    assert [position for _pk, position in _order(setup)] == [1, 2]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"kind": "short_text"}, "The kind of answer cannot change"),
        ({"role": "mentor"}, "The role cannot change"),
        ({"choices": "Leadership\nNetworking"}, "“Career”"),
        ({"choices": "Leadership\nNetworking\nCareers"}, "cannot be removed or reworded"),
    ],
)
def test_a_change_that_would_make_answers_wrong_is_refused_and_nothing_written(
    client_for: Any, setup: Any, changes: dict[str, Any], reason: str
) -> None:
    mentee_applies(setup)
    before = Question.objects.filter(pk=setup.themes.pk).values().get()
    response = _edit(client_for(setup.personas.manager), setup, setup.themes, **changes)
    assert response.status_code == 400
    page = response.content.decode()
    assert reason in page
    assert "add a new question" in page
    assert Question.objects.filter(pk=setup.themes.pk).values().get() == before
    assert not AuditEntry.objects.filter(action="programmes.question.edit").exists()


def test_a_choice_nobody_chose_may_go_once_answers_exist(client_for: Any, setup: Any) -> None:
    mentee_applies(setup)  # chose Leadership and Career
    response = _edit(
        client_for(setup.personas.manager), setup, setup.themes, choices="Leadership\nCareer"
    )
    assert response.status_code == 302
    assert Question.objects.get(pk=setup.themes.pk).choices == ["Leadership", "Career"]


def test_a_choice_question_keeps_two_choices(client_for: Any, setup: Any) -> None:
    response = _edit(client_for(setup.personas.manager), setup, setup.themes, choices="Only")
    assert response.status_code == 400
    assert "at least two choices" in response.content.decode()
    assert Question.objects.get(pk=setup.themes.pk).choices == setup.themes.choices


def test_saving_without_a_change_writes_nothing(client_for: Any, setup: Any) -> None:
    response = _edit(client_for(setup.personas.manager), setup, setup.goals)
    assert "Nothing was changed." in _said(response)
    assert not AuditEntry.objects.filter(action="programmes.question.edit").exists()


def test_a_bad_kind_is_refused_with_the_field_named(client_for: Any, setup: Any) -> None:
    response = _edit(client_for(setup.personas.manager), setup, setup.goals, kind="essay")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Question.objects.get(pk=setup.goals.pk).kind == "long_text"


def _move(client: Any, setup: Any, question: Question, direction: str) -> Any:
    url = reverse("question_move", args=[setup.programme.pk, question.pk])
    return client.post(url, {"direction": direction})


def test_moving_a_question_swaps_it_with_its_neighbour(client_for: Any, setup: Any) -> None:
    client = client_for(setup.personas.manager)
    response = _move(client, setup, setup.preferred, "up")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#question-{setup.preferred.pk}")
    assert _order(setup) == [(setup.themes.pk, 1), (setup.preferred.pk, 2), (setup.goals.pk, 3)]
    _move(client, setup, setup.themes, "down")
    assert _order(setup) == [(setup.preferred.pk, 1), (setup.themes.pk, 2), (setup.goals.pk, 3)]
    entries = AuditEntry.objects.filter(action="programmes.question.move").order_by("pk")
    assert [e.changes for e in entries] == [
        {"position": {"old": 3, "new": 2}},
        {"position": {"old": 1, "new": 2}},
    ]
    # The mentor's questions keep their own order.
    assert _order(setup, "mentor") == [(setup.motivation.pk, 1)]


def test_moving_closes_gaps_and_repeats_left_in_the_positions(client_for: Any, setup: Any) -> None:
    Question.objects.filter(pk=setup.themes.pk).update(position=4)
    Question.objects.filter(pk__in=[setup.goals.pk, setup.preferred.pk]).update(position=9)
    _move(client_for(setup.personas.manager), setup, setup.themes, "down")
    assert _order(setup) == [(setup.goals.pk, 1), (setup.themes.pk, 2), (setup.preferred.pk, 3)]


@pytest.mark.parametrize(
    ("which", "direction", "reason"),
    [
        ("themes", "up", "already the first"),
        ("preferred", "down", "already the last"),
        ("motivation", "up", "already the first"),
        ("goals", "sideways", "Select a valid choice"),
        ("goals", "", "Say whether to move it up or down."),
    ],
)
def test_a_move_that_cannot_be_made_is_refused_and_nothing_written(
    client_for: Any, setup: Any, which: str, direction: str, reason: str
) -> None:
    before = _order(setup)
    response = _move(client_for(setup.personas.manager), setup, getattr(setup, which), direction)
    assert response.status_code == 302
    assert reason in _said(response)
    assert _order(setup) == before
    assert not AuditEntry.objects.filter(action="programmes.question.move").exists()


@pytest.mark.parametrize("name", ["question_edit", "question_move"])
def test_a_question_of_another_programme_or_none_is_not_found(
    client_for: Any, setup: Any, name: str
) -> None:
    from mentora.programmes.services import design

    other = design.programme_create(
        organisation=setup.personas.organisation, actor=setup.personas.manager, name="Other"
    )
    client = client_for(setup.personas.manager)
    for programme_id, question_id in ((other.pk, setup.goals.pk), (setup.programme.pk, 999999)):
        url = reverse(name, args=[programme_id, question_id])
        assert client.post(url, _edit_data(setup.goals, kind="short_text")).status_code == 404
    assert Question.objects.get(pk=setup.goals.pk).kind == "long_text"


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_running_the_programme_may_open_the_edit_page(
    client_for: Any, setup: Any, who: str
) -> None:
    url = reverse("question_edit", args=[setup.programme.pk, setup.goals.pk])
    status = client_for(getattr(setup.personas, who)).get(url).status_code
    assert status == MANAGERS_ONLY[who]


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_running_the_programme_may_edit_a_question(
    client_for: Any, setup: Any, who: str
) -> None:
    response = _edit(client_for(getattr(setup.personas, who)), setup, setup.goals, text="Changed")
    assert response.status_code == WRITE[who]
    changed = Question.objects.get(pk=setup.goals.pk).text == "Changed"
    assert changed == (WRITE[who] == 302)


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_running_the_programme_may_move_a_question(
    client_for: Any, setup: Any, who: str
) -> None:
    response = _move(client_for(getattr(setup.personas, who)), setup, setup.preferred, "up")
    assert response.status_code == WRITE[who]
    moved = _order(setup)[1][0] == setup.preferred.pk
    assert moved == (WRITE[who] == 302)


def test_the_questionnaire_offers_edit_and_only_the_moves_that_can_be_made(
    client_for: Any, setup: Any
) -> None:
    page = (
        client_for(setup.personas.manager)
        .get(reverse("programme_questionnaire", args=[setup.programme.pk]))
        .content.decode()
    )
    assert reverse("question_edit", args=[setup.programme.pk, setup.goals.pk]) in page
    # Three mentee questions and one mentor question: two ups and two downs for the
    # mentees, none for the lone mentor question.
    assert page.count('name="direction" value="up"') == 2
    assert page.count('name="direction" value="down"') == 2
