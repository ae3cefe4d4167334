"""The whole path to "ready to match" in Chromium, in English and in Danish.

A manager creates a programme and its questionnaire and invites a mentee and a
mentor; the mentee applies and the line manager approves; the mentor applies, is
screened and approved; both attend the workshop and are made ready to match.
Labels are looked up in the catalogue of the language under test, so the test reads
the same page a Danish user does.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from django.utils.text import capfirst

from conftest import BROWSER_TEST, log_in, make_person, make_personas
from mentora.programmes.models import Participant, Programme

pytestmark = BROWSER_TEST


def _t(language: str) -> Any:
    def t(message: str) -> str:
        with translation.override(language):
            return str(capfirst(translation.gettext(message)))

    return t


def _exactly(text: str) -> re.Pattern[str]:
    """A label as Django renders it: the text, perhaps followed by a colon."""
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def _log_out(pg: Any, base: str, t: Any) -> None:
    pg.get_by_role("button", name=t("Log out")).click()
    pg.wait_for_url(f"{base}/login/")


def _as(pg: Any, base: str, t: Any, email: str) -> None:
    pg.goto(f"{base}/dashboard/")
    if pg.get_by_role("button", name=t("Log out")).count():
        _log_out(pg, base, t)
    log_in(pg, base, email)


def _set_status(pg: Any, t: Any, status: str) -> None:
    pg.get_by_label(t("New status")).select_option(status)
    pg.get_by_role("button", name=t("Change status")).click()
    pg.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "da"])
def test_from_a_new_programme_to_two_participants_ready_to_match(
    live_server: Any,
    page: Any,  # noqa: F811
    language: str,
) -> None:
    personas = make_personas()
    make_person(
        personas.organisation,
        "E4",
        "Mo",
        "Mentor",
        email=personas.mentor.email,
        user=personas.mentor,
    )
    for user in personas.all().values():
        user.language = language
        user.save()
    base, t = live_server.url, _t(language)
    name = f"Graduate onboarding {language}"

    # The manager designs the programme and its mentee questionnaire.
    _as(page, base, t, personas.manager.email)
    assert page.locator("html").get_attribute("lang") == language
    page.goto(f"{base}/programmes/new/")
    page.get_by_label(_exactly(t("name"))).fill(name)
    page.get_by_label(t("purpose")).fill("Keep our graduates")
    page.get_by_label(t("start date")).fill("2027-01-01")
    page.get_by_label(t("end date")).fill("2027-11-01")
    page.get_by_role("button", name=t("Create programme")).click()
    page.wait_for_url(re.compile(r"/programmes/\d+/$"))
    programme = Programme.objects.get(name=name)
    assert page.get_by_role("heading", level=1).inner_text() == name

    page.get_by_role("link", name=t("Questionnaire")).click()
    page.get_by_label(_exactly(t("Role"))).select_option("mentee")
    page.get_by_role("textbox", name=_exactly(t("Question"))).fill("What do you want to learn?")
    page.get_by_label(t("Kind of answer")).select_option("ranked_themes")
    page.get_by_label(t("Choices")).fill("Leadership\nCareer")
    page.get_by_label(t("Feeds the matching profile")).select_option("themes")
    page.get_by_role("button", name=t("Add question")).click()
    page.wait_for_load_state()
    assert programme.questions.count() == 1

    # ... and invites a mentee and a mentor from the people directory.
    page.get_by_role("link", name=t("Participants")).first.click()
    for role, employee_id in (("mentee", "E3"), ("mentor", "E4")):
        invite = page.get_by_role("region", name=t("Invite participants"))
        invite.get_by_label(_exactly(t("Role"))).select_option(role)
        invite.get_by_label(_exactly(t("People"))).fill(employee_id)
        page.get_by_role("button", name=t("Send invitations")).click()
        page.wait_for_load_state()
    assert programme.participants.filter(status="invited").count() == 2

    # The mentee applies, ranking their learning themes.
    _as(page, base, t, personas.mentee.email)
    page.goto(f"{base}/my/programmes/")
    page.get_by_role("link", name=t("Fill in the application form")).click()
    page.get_by_label(t("First choice")).select_option("Career")
    page.get_by_label(t("Second choice")).select_option("Leadership")
    page.get_by_role("button", name=t("Send application")).click()
    page.wait_for_url(f"{base}/my/programmes/")
    status = page.get_by_test_id("status").inner_text()
    with translation.override(language):
        assert status == str(translation.gettext("Needs line-manager approval"))

    # The line manager sees the themes and approves.
    _as(page, base, t, personas.line_manager.email)
    page.goto(f"{base}/my/approvals/")
    assert "Career, Leadership" in page.content()
    page.get_by_label(_exactly(t("Approve"))).check()
    page.get_by_role("button", name=t("Send decision")).click()
    page.wait_for_load_state()
    mentee = Participant.objects.get(programme=programme, role="mentee")
    assert mentee.status == "approved"

    # The mentor applies.
    _as(page, base, t, personas.mentor.email)
    page.goto(f"{base}/my/programmes/")
    page.get_by_role("link", name=t("Fill in the application form")).click()
    page.get_by_role("button", name=t("Send application")).click()
    page.wait_for_url(f"{base}/my/programmes/")

    # The manager screens and approves the mentor.
    _as(page, base, t, personas.manager.email)
    mentor = Participant.objects.get(programme=programme, role="mentor")
    page.goto(f"{base}/programmes/{programme.pk}/participants/{mentor.pk}/")
    page.get_by_label(t("Interview date and time")).fill("2026-12-15T10:00")
    page.get_by_role("button", name=t("Book interview")).click()
    page.wait_for_load_state()
    page.get_by_label(t("Outcome")).select_option("passed")
    page.get_by_label(t("Interview notes")).fill("Listens well, has time.")
    page.get_by_role("button", name=t("Record interview")).click()
    page.wait_for_load_state()
    _set_status(page, t, "approved")
    mentor.refresh_from_db()
    assert mentor.status == "approved"

    # A workshop for both, attended by both: they are trained.
    page.goto(f"{base}/programmes/{programme.pk}/workshops/")
    page.get_by_label(t("Title")).fill("Kick-off")
    page.get_by_label(t("Starts at")).fill("2026-12-20T09:00")
    page.get_by_label(_exactly(t("Place"))).fill("Room 1")
    page.get_by_label(t("Required for")).select_option("both")
    page.get_by_role("button", name=t("Schedule workshop")).click()
    page.wait_for_load_state()
    page.get_by_role("link", name=re.compile(t("Record attendance"))).click()
    page.get_by_label(re.compile("Jo Junior")).check()
    page.get_by_label(re.compile("Mo Mentor")).check()
    page.get_by_role("button", name=t("Save attendance")).click()
    page.wait_for_load_state()
    assert set(programme.participants.values_list("status", flat=True)) == {"trained"}

    # Both are made ready to match, and the pipeline says so.
    for participant in programme.participants.all():
        page.goto(f"{base}/programmes/{programme.pk}/participants/{participant.pk}/")
        _set_status(page, t, "ready")
    assert set(programme.participants.values_list("status", flat=True)) == {"ready"}
    page.goto(f"{base}/programmes/{programme.pk}/pipeline/")
    ready = page.locator('.pipeline-tiles a[href="?status=ready"] .stat-value')
    assert ready.inner_text() == "2"
