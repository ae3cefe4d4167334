"""In Chromium on a phone, in English and Danish: a mentor says "no more mentees" and sets
their places; the manager sees the rolling intake and an on-demand match. Each page passes
axe-core and does not scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.programmes.models import Participant
from mentora.programmes.services import pipeline
from mentora.rounds.models import MatchingRound
from mentora.rounds.tests.conftest import make_cohort
from mentora.rounds.tests.test_round_browser import use_language
from tests.pages import PHONE, problems_on

pytestmark = BROWSER_TEST


def text(language: str, english: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(english)


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_mentor_stops_taking_mentees_and_the_manager_sees_the_intake(
    live_server: Any, browser: Any, run_worker: Any, language: str
) -> None:
    cohort = make_cohort(make_personas())
    programme = cohort.programme
    programme.rolling, programme.end_date = True, None
    programme.save()
    Participant.objects.filter(pk=cohort.junior.pk).update(status="approved")
    pipeline.participant_transition(
        participant=Participant.objects.get(pk=cohort.junior.pk),
        to_status="ready",
        actor=cohort.personas.manager,
    )
    run_worker()
    on_demand = MatchingRound.objects.get(mentee=cohort.junior)
    problems: list[str] = []

    def check(page: Any) -> None:
        problems.extend(f"{page.url}: {p}" for p in problems_on(page, PHONE))

    mentor = browser.new_context(viewport=PHONE, locale="en-GB")
    page = mentor.new_page()
    log_in(page, live_server.url, cohort.personas.mentor.email)
    use_language(page, language)
    page.goto(f"{live_server.url}/my/programmes/")
    check(page)
    page.get_by_role("button", name=text(language, "No more mentees")).click()
    page.get_by_text(text(language, "No more mentees for now.")).wait_for()
    page.get_by_role("link", name=text(language, "Places and availability")).click()
    check(page)
    page.get_by_label(text(language, "Places for mentees")).fill("0")
    page.get_by_role("button", name=text(language, "Save")).click()
    page.wait_for_url("**/my/programmes/")
    mentor.close()
    mo = Participant.objects.get(pk=cohort.mo.pk)
    assert (mo.takes_mentees, mo.places) == (False, 0)

    manager = browser.new_context(viewport=PHONE, locale="en-GB")
    page = manager.new_page()
    log_in(page, live_server.url, cohort.personas.manager.email)
    use_language(page, language)
    page.goto(f"{live_server.url}/programmes/{programme.pk}/rounds/")
    page.get_by_role("heading", name=text(language, "Rolling intake")).wait_for()
    check(page)
    page.goto(f"{live_server.url}/rounds/{on_demand.pk}/")
    assert "Jo Junior" in page.locator("main").inner_text()
    check(page)
    page.goto(f"{live_server.url}/programmes/{programme.pk}/participants/{cohort.eva.pk}/")
    check(page)
    # Eva is ready: the manager matches her now; Tina is the only mentor she may have.
    page.get_by_role("button", name=text(language, "Match now")).click()
    run_worker()
    manager.close()
    assert MatchingRound.objects.get(mentee=cohort.eva).proposals.get().mentor == cohort.tina
    assert problems == [], "\n".join(problems)
