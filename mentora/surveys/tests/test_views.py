from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mentora.core.models import AuditEntry
from mentora.surveys.models import Instrument, Invitation, Question, Response, Survey
from mentora.surveys.tests.conftest import World, builtin
from mentora.surveys.tests.test_services import schedule


def _form_data(invitation: Invitation) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for q in invitation.survey.instrument.questions_for(invitation.role):
        if q.kind == "scale_1_5":
            data[f"q{q.pk}"] = "5"
        elif q.kind == "nps":
            data[f"q{q.pk}"] = "10"
        elif q.kind == "single":
            data[f"q{q.pk}"] = q.choices[1]["value"]
        elif q.kind == "multiple":
            data[f"q{q.pk}"] = [q.choices[0]["value"]]
        else:
            data[f"q{q.pk}"] = "I learned to ask for help."
    return data


def test_a_manager_schedules_a_survey_with_the_form(world: World, client_for: Any) -> None:
    now = timezone.localtime()
    response = client_for(world.personas.manager).post(
        f"/programmes/{world.programme.pk}/surveys/new/",
        {
            "instrument": builtin("start").pk,
            "wave": "start",
            "roles": ["mentee", "mentor"],
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "reminder_days": "3",
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/surveys/{survey.pk}/"
    assert survey.invitations.count() == 2 and survey.reminder_days == 3
    page = client_for(world.personas.manager).get(f"/surveys/{survey.pk}/")
    assert b"Mentees" in page.content


def test_the_participant_answers_in_danish_and_sees_their_own_answers(
    world: World, client_for: Any
) -> None:
    world.personas.mentee.language = "da"
    world.personas.mentee.save()
    survey = schedule(world, "end", ["mentee"])
    invitation = Invitation.objects.get(survey=survey)
    client = client_for(world.personas.mentee)
    form = client.get(f"/surveys/answer/{invitation.token}/")
    assert form.status_code == 200
    assert b"Min mentor hjalp mig med at se muligheder i min karriere." in form.content
    assert b"My mentor helped me see options" not in form.content
    response = client.post(f"/surveys/answer/{invitation.token}/", _form_data(invitation))
    assert response.status_code == 302
    assert response["Location"] == f"/my/surveys/{invitation.pk}/"
    stored = Response.objects.get()
    assert stored.language == "da" and stored.role == "mentee"
    mine = client.get(f"/my/surveys/{invitation.pk}/")
    assert b"I learned to ask for help." in mine.content
    assert "Måske".encode() in mine.content  # the second choice, in Danish
    # The link again leads to the answers, not to a second response.
    again = client.get(f"/surveys/answer/{invitation.token}/")
    assert again.status_code == 302 and Response.objects.count() == 1


def test_an_answer_off_the_scale_redisplays_the_form(world: World, client_for: Any) -> None:
    survey = schedule(world, "start", ["mentee"])
    invitation = Invitation.objects.get(survey=survey)
    data = _form_data(invitation)
    scale = Question.objects.filter(instrument=survey.instrument, kind="scale_1_5").first()
    assert scale is not None
    data[f"q{scale.pk}"] = "7"
    response = client_for(world.personas.mentee).post(f"/surveys/answer/{invitation.token}/", data)
    assert response.status_code == 200 and Response.objects.count() == 0


def test_a_closed_survey_says_so(world: World, client_for: Any) -> None:
    now = timezone.now()
    survey = schedule(
        world, "start", ["mentee"], opens_at=now - dt.timedelta(days=5), closes_at=now
    )
    token = Invitation.objects.get(survey=survey).token
    assert client_for(world.personas.mentee).get(f"/surveys/answer/{token}/").status_code == 410


def test_my_surveys_lists_only_my_invitations(world: World, client_for: Any) -> None:
    survey = schedule(world, "start", ["mentee", "mentor"])
    page = client_for(world.personas.mentor).get("/my/surveys/")
    mine = Invitation.objects.get(survey=survey, role="mentor").token
    theirs = Invitation.objects.get(survey=survey, role="mentee").token
    assert mine.encode() in page.content and theirs.encode() not in page.content


def test_a_manager_adds_an_own_question_and_it_can_be_scheduled(
    world: World, client_for: Any
) -> None:
    client = client_for(world.personas.manager)
    response = client.post(
        f"/programmes/{world.programme.pk}/surveys/questions/",
        {
            "kind": "single",
            "text_en": "Which site are you at?",
            "text_da": "Hvilket sted er du på?",
            "audience": ["mentee"],
            "choices": "North | Nord\nSouth | Syd",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get(text_en="Which site are you at?")
    assert question.choices[1] == {"value": "2", "en": "South", "da": "Syd"}
    page = client.get(f"/programmes/{world.programme.pk}/surveys/new/")
    assert f'value="{question.instrument_id}"'.encode() in page.content


def test_staff_load_a_licensed_instrument_through_the_page(world: World, client_for: Any) -> None:
    upload = io.BytesIO(
        json.dumps(
            {
                "name": "Vendor pulse",
                "licence": {"name": "Licensed", "holder": "Vendor"},
                "questions": [
                    {"code": "V1", "kind": "nps", "text_en": "Recommend?", "audience": ["mentor"]}
                ],
            }
        ).encode()
    )
    upload.name = "vendor.json"
    response = client_for(world.personas.org_admin).post(
        "/surveys/instruments/acme/", {"file": upload}
    )
    assert response.status_code == 302
    assert Instrument.objects.get(name="Vendor pulse").organisation == world.personas.organisation
    bad = io.BytesIO(b"not json")
    bad.name = "bad.json"
    response = client_for(world.personas.org_admin).post(
        "/surveys/instruments/acme/", {"file": bad}
    )
    assert response.status_code == 200


def test_the_schedule_form_takes_its_dates_from_the_programmes_phases(
    world: World, client_for: Any
) -> None:
    from mentora.programmes.models import Touchpoint

    Touchpoint.objects.create(
        programme=world.programme, kind="evaluation", date=dt.date(2027, 9, 1)
    )
    page = client_for(world.personas.manager).get(
        f"/programmes/{world.programme.pk}/surveys/new/?wave=end"
    )
    assert b'value="2027-09-01T08:00"' in page.content
    assert b'value="2027-09-15T08:00"' in page.content
    assert f'value="{builtin("end").pk}" selected'.encode() in page.content
    midway = client_for(world.personas.manager).get(
        f"/programmes/{world.programme.pk}/surveys/new/?wave=midway"
    )
    # No midway touchpoint: the middle of the programme (1 January to 1 November 2027: 2 June).
    assert b'value="2027-06-02T08:00"' in midway.content


def test_the_survey_pages_hide_answered_counts_the_report_hides(
    world: World, client_for: Any
) -> None:
    from mentora.surveys import services
    from mentora.surveys.tests.test_services import answers_for

    survey = schedule(world, "start", ["mentee", "mentor"])
    for invitation in survey.invitations.all():
        services.response_submit(invitation=invitation, answers=answers_for(invitation), actor=None)
    page = client_for(world.personas.manager).get(f"/surveys/{survey.pk}/")
    # One mentee and one mentor answered: neither count is shown.
    assert b"fewer than 5 or hidden" in page.content
    listing = client_for(world.personas.manager).get(f"/programmes/{world.programme.pk}/surveys/")
    assert b"Mentees: &lt;5/1" in listing.content


def test_a_manager_closes_a_survey_early_and_its_results_are_published(
    world: World, client_for: Any
) -> None:
    survey = schedule(world, "end", ["mentee"])
    planned = survey.closes_at
    client = client_for(world.personas.manager)
    page = client.get(f"/surveys/{survey.pk}/")
    assert b"Close the survey now" in page.content
    # Without the tick nothing changes.
    client.post(f"/surveys/{survey.pk}/close/")
    survey.refresh_from_db()
    assert survey.closes_at == planned and survey.is_open()
    response = client.post(f"/surveys/{survey.pk}/close/", {"confirm": "on"}, follow=True)
    survey.refresh_from_db()
    assert survey.closes_at < planned and not survey.is_open()
    assert b"The survey is closed and its results are published." in response.content
    assert b"Close the survey now" not in response.content
    entry = AuditEntry.objects.get(action="surveys.survey.close")
    assert entry.actor == world.personas.manager
    # The entry keeps the time it was meant to close (to the millisecond, as JSON does).
    assert parse_datetime(entry.changes["planned"]) == planned.replace(
        microsecond=planned.microsecond // 1000 * 1000
    )
    # A second close is refused, and the closing time stays.
    closed_at = survey.closes_at
    again = client.post(f"/surveys/{survey.pk}/close/", {"confirm": "on"}, follow=True)
    assert b"This survey has already closed." in again.content
    survey.refresh_from_db()
    assert survey.closes_at == closed_at
    token = Invitation.objects.get(survey=survey).token
    assert client_for(world.personas.mentee).get(f"/surveys/answer/{token}/").status_code == 410


def test_a_survey_that_has_not_opened_cannot_be_closed(world: World, client_for: Any) -> None:
    now = timezone.now()
    survey = schedule(
        world,
        "start",
        ["mentee"],
        opens_at=now + dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=9),
    )
    response = client_for(world.personas.manager).post(
        f"/surveys/{survey.pk}/close/", {"confirm": "on"}, follow=True
    )
    assert b"This survey has not opened yet" in response.content
    survey.refresh_from_db()
    assert survey.closes_at > now + dt.timedelta(days=8)
