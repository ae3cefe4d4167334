"""Every survey and report page and endpoint, for every persona.

Outsiders get 404; members whose role only allows reading get 403 on writes; the
allowed roles get 2xx or a redirect. Individual answers are seen by their owner only.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from conftest import EVERYONE, MANAGERS_ONLY, PERSONAS, READERS, WRITE
from mentora.reports import benchmark
from mentora.reports.models import BenchmarkRow
from mentora.surveys import services
from mentora.surveys.models import Invitation
from mentora.surveys.tests.conftest import World, builtin, window
from mentora.surveys.tests.test_services import answers_for

# Only the mentee who answered: others who can see the programme 403, outsiders 404.
OWNER_ONLY = {**{who: 403 for who in PERSONAS}, "mentee": 200, "outsider": 404}


@pytest.fixture
def answered(world: World) -> dict[str, Any]:
    opens, closes = window()
    survey = services.survey_schedule(
        programme=world.programme,
        instrument=builtin("end"),
        wave="end",
        roles=["mentee", "mentor", "line_manager"],
        opens_at=opens,
        closes_at=closes,
        actor=world.personas.manager,
    )
    invitation = Invitation.objects.get(survey=survey, role="mentee")
    services.response_submit(
        invitation=invitation, answers=answers_for(invitation), actor=world.personas.mentee
    )
    return {"world": world, "survey": survey, "invitation": invitation}


def _pages(answered: dict[str, Any]) -> list[tuple[str, str, dict[str, int], Any]]:
    p = answered["world"].programme.pk
    s = answered["survey"].pk
    i = answered["invitation"].pk
    return [
        ("get", f"/programmes/{p}/surveys/", READERS, None),
        ("get", f"/programmes/{p}/surveys/new/", MANAGERS_ONLY, None),
        (
            "post",
            f"/programmes/{p}/surveys/new/",
            {**WRITE, **{w: 200 for w in ("admin", "org_admin", "manager")}},
            {},
        ),
        ("get", f"/programmes/{p}/surveys/questions/", MANAGERS_ONLY, None),
        (
            "post",
            f"/programmes/{p}/surveys/questions/",
            WRITE,
            {
                "kind": "text",
                "text_en": "Anything else?",
                "text_da": "Andet?",
                "audience": ["mentee"],
            },
        ),
        ("get", f"/surveys/{s}/", READERS, None),
        ("get", "/my/surveys/", EVERYONE, None),
        ("get", f"/my/surveys/{i}/", OWNER_ONLY, None),
        ("get", f"/programmes/{p}/report/", READERS, None),
        ("get", f"/programmes/{p}/report.xlsx", READERS, None),
        ("get", f"/programmes/{p}/report/benchmark.json", READERS, None),
    ]


@pytest.mark.parametrize("who", PERSONAS)
def test_every_page_answers_each_persona_as_the_access_table_says(
    answered: dict[str, Any], client_for: Any, who: str
) -> None:
    personas = answered["world"].personas
    client = client_for(personas.all()[who])
    for method, url, expected, data in _pages(answered):
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == expected[who], (who, method, url)


@pytest.mark.parametrize("who", PERSONAS)
def test_the_pdf_follows_the_report_access(
    answered: dict[str, Any], client_for: Any, who: str
) -> None:
    personas = answered["world"].personas
    url = f"/programmes/{answered['world'].programme.pk}/report.pdf"
    assert client_for(personas.all()[who]).get(url).status_code == READERS[who]


@pytest.mark.parametrize("who", PERSONAS)
def test_loading_benchmark_figures_is_for_those_running_the_programme(
    answered: dict[str, Any], client_for: Any, who: str
) -> None:
    personas = answered["world"].personas
    programme = answered["world"].programme
    item = {"wave": "end", "code": "sat", "text_en": "Satisfied", "n": 12}
    figures = {
        "format": benchmark.FORMAT,
        "minimum_group": 5,
        "groups": [{"group": "elsewhere", "items": [{**item, "mean": 4.1, "favourable": 0.75}]}],
    }
    upload = io.BytesIO(json.dumps(figures).encode())
    upload.name = "benchmark.json"
    response = client_for(personas.all()[who]).post(
        f"/programmes/{programme.pk}/report/benchmark/", {"source": "Elsewhere", "file": upload}
    )
    assert response.status_code == WRITE[who]
    loaded = BenchmarkRow.objects.filter(organisation=programme.organisation, source="Elsewhere")
    assert loaded.exists() == (WRITE[who] == 302)


@pytest.mark.parametrize(("who", "expected"), MANAGERS_ONLY.items())
def test_the_instrument_library_is_for_the_organisations_staff(
    world: World, client_for: Any, who: str, expected: int
) -> None:
    user = world.personas.all()[who]
    assert client_for(user).get("/surveys/instruments/acme/").status_code == expected


@pytest.mark.parametrize("who", PERSONAS)
def test_only_the_invitee_can_open_their_answer_link(
    world: World, client_for: Any, who: str
) -> None:
    opens, closes = window()
    survey = services.survey_schedule(
        programme=world.programme,
        instrument=builtin("start"),
        wave="start",
        roles=["mentee"],
        opens_at=opens,
        closes_at=closes,
        actor=world.personas.manager,
    )
    token = Invitation.objects.get(survey=survey).token
    response = client_for(world.personas.all()[who]).get(f"/surveys/answer/{token}/")
    assert response.status_code == (200 if who == "mentee" else 404)


def test_a_wrong_token_is_not_found(world: World, client_for: Any) -> None:
    assert client_for(world.personas.mentee).get("/surveys/answer/nope/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(answered: dict[str, Any], client: Any) -> None:
    token = answered["invitation"].token
    response = client.get(f"/surveys/answer/{token}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_line_manager_sees_nothing_of_the_mentees_answers(
    answered: dict[str, Any], client_for: Any
) -> None:
    personas = answered["world"].personas
    client = client_for(personas.line_manager)
    assert client.get(f"/my/surveys/{answered['invitation'].pk}/").status_code == 403
    assert client.get(f"/programmes/{answered['world'].programme.pk}/report/").status_code == 403
    page = client.get("/my/surveys/")
    # Their own invitation only, not the mentee's.
    assert answered["invitation"].token.encode() not in page.content


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_running_the_programme_close_a_survey_early(
    answered: dict[str, Any], client_for: Any, who: str
) -> None:
    survey = answered["survey"]
    planned = survey.closes_at
    client = client_for(answered["world"].personas.all()[who])
    response = client.post(f"/surveys/{survey.pk}/close/", {"confirm": "on"})
    assert response.status_code == WRITE[who]
    survey.refresh_from_db()
    assert (survey.closes_at < planned) == (WRITE[who] == 302)
