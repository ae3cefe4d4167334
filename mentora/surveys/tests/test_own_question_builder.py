"""Managers edit and reorder the programme's own survey questions, through the same
ordering as the questionnaire; a change that would make given answers wrong is refused
with its reason, and nothing is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from conftest import MANAGERS_ONLY, PERSONAS, WRITE
from mentora.core.models import AuditEntry
from mentora.surveys import services
from mentora.surveys.models import Answer, Instrument, Question, Response, Survey
from mentora.surveys.tests.conftest import World


def _add(world: World, text: str, **extra: Any) -> Question:
    arguments: dict[str, Any] = {"kind": "text", "audience": ["mentee", "mentor"], **extra}
    return services.custom_question_add(
        programme=world.programme,
        text_en=text,
        text_da="",
        actor=world.personas.manager,
        **arguments,
    )


@pytest.fixture
def own(world: World) -> list[Question]:
    site = _add(
        world,
        "Which site are you at?",
        kind="single",
        choices=[
            {"value": "1", "en": "North", "da": "Nord"},
            {"value": "2", "en": "South", "da": "Syd"},
        ],
    )
    return [site, _add(world, "What helped most?"), _add(world, "What would you change?")]


def _answered(world: World, question: Question, role: str = "mentee", **value: Any) -> None:
    now = timezone.now()
    survey = Survey.objects.create(
        programme=world.programme,
        instrument=question.instrument,
        wave="end",
        roles=["mentee", "mentor"],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=9),
    )
    response = Response.objects.create(survey=survey, key="k", role=role)
    Answer.objects.create(response=response, question=question, **value)


def _order(world: World) -> list[int]:
    instrument = Instrument.objects.get(programme=world.programme)
    return list(instrument.questions.order_by("position").values_list("pk", flat=True))


def _edit(client: Any, world: World, question: Question, **changes: Any) -> Any:
    data: dict[str, Any] = {
        "kind": question.kind,
        "text_en": question.text_en,
        "text_da": question.text_da,
        "audience": question.audience,
        "choices": "\n".join(f"{c['en']} | {c['da']}" for c in question.choices),
        **changes,
    }
    url = reverse("survey_question_edit", args=[world.programme.pk, question.pk])
    return client.post(url, data)


def _move(client: Any, world: World, question: Question, direction: str) -> Any:
    url = reverse("survey_question_move", args=[world.programme.pk, question.pk])
    return client.post(url, {"direction": direction})


def _said(response: Any) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_the_manager_rewords_a_question_and_adds_a_choice_that_keeps_the_old_values(
    world: World, client_for: Any, own: list[Question]
) -> None:
    site = own[0]
    _answered(world, site, choices=["2"])
    response = _edit(
        client_for(world.personas.manager),
        world,
        site,
        text_en="Where do you work?",
        choices="South | Syd\nNorth | Nord\nEast | Øst",
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.text_en == "Where do you work?"
    assert site.choices == [
        {"value": "2", "en": "South", "da": "Syd"},
        {"value": "1", "en": "North", "da": "Nord"},
        {"value": "3", "en": "East", "da": "Øst"},
    ]
    entry = AuditEntry.objects.get(action="surveys.question.edit", object_id=str(site.pk))
    assert set(entry.changes) == {"text_en", "choices"}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"kind": "multiple"}, "The kind of question cannot change"),
        ({"audience": ["mentor"]}, "A group that has already answered must still be asked"),
        ({"choices": "North | Nord\nEast | Øst"}, "“South”"),
    ],
)
def test_a_change_that_would_make_answers_wrong_is_refused_and_nothing_written(
    world: World, client_for: Any, own: list[Question], changes: dict[str, Any], reason: str
) -> None:
    site = own[0]
    _answered(world, site, choices=["2"])
    before = Question.objects.filter(pk=site.pk).values().get()
    response = _edit(client_for(world.personas.manager), world, site, **changes)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert Question.objects.filter(pk=site.pk).values().get() == before
    assert not AuditEntry.objects.filter(action="surveys.question.edit").exists()


def test_an_unanswered_question_may_change_kind_and_groups(
    world: World, client_for: Any, own: list[Question]
) -> None:
    helped = own[1]
    response = _edit(
        client_for(world.personas.manager),
        world,
        helped,
        kind="single",
        audience=["mentor"],
        choices="Meetings | Møder\nGoals | Mål",
    )
    assert response.status_code == 302
    helped.refresh_from_db()
    assert (helped.kind, helped.audience, len(helped.choices)) == ("single", ["mentor"], 2)


def test_moving_a_question_reorders_the_programmes_own_questions(
    world: World, client_for: Any, own: list[Question]
) -> None:
    client = client_for(world.personas.manager)
    response = _move(client, world, own[2], "up")
    assert response.status_code == 302
    assert _order(world) == [own[0].pk, own[2].pk, own[1].pk]
    entry = AuditEntry.objects.get(action="surveys.question.move")
    assert entry.changes == {"position": {"old": 3, "new": 2}}
    response = _move(client, world, own[0], "up")
    assert "already the first" in _said(response)
    assert _order(world) == [own[0].pk, own[2].pk, own[1].pk]


def test_a_library_question_is_not_found(
    world: World, client_for: Any, own: list[Question]
) -> None:
    library = Question.objects.filter(instrument__source="builtin").first()
    assert library is not None
    client = client_for(world.personas.manager)
    before = Question.objects.filter(pk=library.pk).values().get()
    assert _edit(client, world, library, text_en="Changed").status_code == 404
    assert _move(client, world, library, "down").status_code == 404
    assert Question.objects.filter(pk=library.pk).values().get() == before


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_running_the_programme_may_open_the_edit_page(
    world: World, client_for: Any, own: list[Question], who: str
) -> None:
    url = reverse("survey_question_edit", args=[world.programme.pk, own[1].pk])
    assert client_for(getattr(world.personas, who)).get(url).status_code == MANAGERS_ONLY[who]


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_running_the_programme_may_edit_or_move(
    world: World, client_for: Any, own: list[Question], who: str
) -> None:
    client = client_for(getattr(world.personas, who))
    assert _edit(client, world, own[1], text_en="Changed").status_code == WRITE[who]
    assert _move(client, world, own[2], "up").status_code == WRITE[who]
    allowed = WRITE[who] == 302
    assert (Question.objects.get(pk=own[1].pk).text_en == "Changed") == allowed
    assert (_order(world)[1] == own[2].pk) == allowed
