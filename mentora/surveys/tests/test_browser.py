"""End to end in Chromium: a manager schedules a survey, participants answer (one in
Danish), and the manager opens the report and downloads the PDF and the workbook."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.surveys import services
from mentora.surveys.models import Invitation, Question, Survey
from mentora.surveys.tests.conftest import add_participants, make_world
from mentora.surveys.tests.test_services import answers_for

pytestmark = BROWSER_TEST


def _answer_in_browser(pg: Any, base: str, invitation: Invitation, number: str) -> None:
    pg.goto(f"{base}/surveys/answer/{invitation.token}/")
    for q in invitation.survey.instrument.questions_for(invitation.role):
        field = f'main input[name="q{q.pk}"]'
        if q.kind == "scale_1_5":
            pg.locator(f'{field}[value="{number}"]').check()
        elif q.kind == "nps":
            pg.locator(f'{field}[value="9"]').check()
        elif q.kind in ("single", "multiple"):
            pg.locator(f'{field}[value="{q.choices[0]["value"]}"]').check()
        else:
            pg.locator(f'main textarea[name="q{q.pk}"]').fill("Jeg lærte at spørge.")
    pg.locator("main form button[type=submit]").click()
    pg.wait_for_url(f"{base}/my/surveys/{invitation.pk}/")


def test_a_survey_from_scheduling_to_the_downloaded_report(
    live_server: Any,
    page: Any,  # noqa: F811
) -> None:
    personas = make_personas()
    world = make_world(personas)
    add_participants(world, "mentee", 5)
    add_participants(world, "mentor", 5, start=300)
    personas.mentee.language = "da"
    personas.mentee.save()
    base = live_server.url
    programme = world.programme

    # The manager schedules the end-of-programme survey for mentees and mentors.
    log_in(page, base, personas.manager.email)
    page.goto(f"{base}/programmes/{programme.pk}/surveys/new/")
    page.get_by_label("Instrument").select_option(label="Mentora: end of the programme")
    page.get_by_label("Wave").select_option("end")
    page.locator('input[name="roles"][value="mentee"]').check()
    page.locator('input[name="roles"][value="mentor"]').check()
    page.get_by_role("button", name="Schedule the survey").click()
    survey = Survey.objects.get(programme=programme)
    page.wait_for_url(f"{base}/surveys/{survey.pk}/")
    assert survey.invitations.count() == 12
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{base}/login/")

    # The mentee answers in Danish: the questions are the Danish wording.
    mentee_invitation = Invitation.objects.get(survey=survey, user=personas.mentee)
    log_in(page, base, personas.mentee.email)
    page.goto(f"{base}/surveys/answer/{mentee_invitation.token}/")
    assert page.locator("html").get_attribute("lang") == "da"
    danish = Question.objects.get(instrument=survey.instrument, code="CS1").text_da
    assert page.get_by_text(danish).is_visible()
    _answer_in_browser(page, base, mentee_invitation, "5")
    assert page.get_by_text("Jeg lærte at spørge.").is_visible()
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url(f"{base}/login/")

    # The mentor answers in English.
    mentor_invitation = Invitation.objects.get(survey=survey, user=personas.mentor)
    log_in(page, base, personas.mentor.email)
    _answer_in_browser(page, base, mentor_invitation, "4")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{base}/login/")

    # The others answer too (through the same service as the form), each differently:
    # answers all alike would be withheld, as they would give everyone's answer away.
    for i, invitation in enumerate(survey.invitations.filter(answered_at__isnull=True)):
        answers = answers_for(invitation, number=1 + i % 5)
        services.response_submit(invitation=invitation, answers=answers, actor=None)

    # The manager opens the report: its answers wait for the survey to close.
    log_in(page, base, personas.manager.email)
    page.goto(f"{base}/programmes/{programme.pk}/report/")
    assert page.get_by_text("The answers are published when the survey closes").is_visible()
    # The survey's closing date passes; the manager reads the report and downloads both.
    survey.refresh_from_db()
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=min(survey.opens_at, now - dt.timedelta(hours=2)),
        closes_at=now - dt.timedelta(hours=1),
    )
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Outcome report")
    assert page.locator("img.chart").count() >= 1
    assert page.get_by_text("RQ1 We meet as often as we agreed.").first.is_visible()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download PDF").click()
    with open(pdf.value.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="Download XLSX").click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    with open(xlsx.value.path(), "rb") as handle:
        assert handle.read(2) == b"PK"
