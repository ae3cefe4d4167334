"""In Chromium, in English and Danish: the review screen, and a mentee choosing a mentor."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.rounds.models import MatchingRound
from mentora.rounds.tests.conftest import make_cohort

pytestmark = BROWSER_TEST

ENGLISH = {
    "start": "Start a new round",
    "matched": "Matched",
    "match": "Match these two",
    "publish": "Publish all pairs",
    "published": "Published",
    "save": "Save my choice",
    "settle": "Close choosing and settle the matches",
    "choose": "Let the mentees choose",
}


def texts(language: str) -> dict[str, str]:
    """The labels as the catalogue gives them in `language`; Danish must differ from English."""
    from django.utils import translation

    from mentora.rounds.explain import rule_text

    with translation.override(language):
        found = {key: translation.gettext(text) for key, text in ENGLISH.items()}
        found["rule"] = rule_text("same_team", mentee="Jo Junior", mentor="Tina Teammate")
    if language != "en":
        assert found["publish"] != ENGLISH["publish"], "the Danish catalogue is not compiled"
    return found


def confirm(page: Any, action: str) -> None:
    """Tick "I understand this cannot be undone" in the form posting to `action`."""
    page.locator(f"form[action$='/{action}/'] input[name=confirm]").check()


def use_language(page: Any, language: str) -> None:
    if language == "en":
        return
    page.get_by_label("Language").select_option(language)
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_manager_runs_reviews_adjusts_and_publishes_a_round(
    live_server: Any,
    page: Any,
    run_worker: Any,
    language: str,
) -> None:
    cohort = make_cohort(make_personas())
    t = texts(language)
    log_in(page, live_server.url, cohort.personas.manager.email)
    use_language(page, language)
    page.goto(f"{live_server.url}/programmes/{cohort.programme.pk}/rounds/")
    page.get_by_role("button", name=t["start"]).click()
    page.get_by_role("progressbar").wait_for()
    run_worker()
    # The progress bar reloads the page once the worker is done.
    page.get_by_role("heading", name=t["matched"], exact=True).wait_for()
    table = page.locator("table").first.inner_text()
    assert "Jo Junior" in table and "Mo Mentor" in table

    # A hand-made pair that breaks a rule is refused live, naming the rule. Both are found
    # by the people picker's search (the lists start with the round's unmatched only); the
    # mentor is chosen from the keyboard.
    page.get_by_role("combobox", name="Mentee", exact=True).fill("jo jun")
    page.get_by_role("option", name="Jo Junior").click()
    mentor = page.get_by_role("combobox", name="Mentor", exact=True)
    mentor.fill("tina")
    page.get_by_role("option", name="Tina Teammate").wait_for()
    mentor.press("ArrowDown")
    mentor.press("Enter")
    page.locator("#pair-check").get_by_text(t["rule"]).wait_for()
    page.get_by_role("button", name=t["match"]).click()
    page.get_by_role("alert").get_by_text(t["rule"], exact=False).first.wait_for()

    # Publishing cannot be undone: the button waits for the tick beside it.
    confirm(page, "publish")
    page.get_by_role("button", name=t["publish"]).click()
    page.get_by_text(t["published"]).first.wait_for()
    assert MatchingRound.objects.get().status == "published"


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_mentee_chooses_among_their_suggestions(
    live_server: Any,
    page: Any,
    browser: Any,
    run_worker: Any,
    language: str,
) -> None:
    from mentora.rounds.services import rounds

    cohort = make_cohort(make_personas())
    cohort.programme.influence_mode = "mentee_chooses"
    cohort.programme.save()
    t = texts(language)
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    run_worker()
    log_in(page, live_server.url, cohort.personas.manager.email)
    use_language(page, language)
    page.goto(f"{live_server.url}/rounds/{matching_round.pk}/")
    confirm(page, "open-choosing")
    page.get_by_role("button", name=t["choose"]).click()
    page.get_by_role("button", name=t["settle"]).wait_for()

    mentee_context = browser.new_context()
    mentee_page = mentee_context.new_page()
    log_in(mentee_page, live_server.url, cohort.personas.mentee.email)
    use_language(mentee_page, language)
    mentee_page.goto(f"{live_server.url}/my/matching/")
    content = mentee_page.content()
    assert "Mo Mentor" in content and "Tina" not in content and "Eva" not in content
    mentee_page.locator("input[type=number]").first.fill("1")
    mentee_page.get_by_role("button", name=t["save"]).click()
    mentee_page.wait_for_load_state()
    mentee_context.close()

    confirm(page, "resolve")
    page.get_by_role("button", name=t["settle"]).click()
    page.get_by_role("button", name=t["publish"]).wait_for()
    assert matching_round.proposals.get(mentee=cohort.junior).mentor == cohort.mo


@pytest.mark.parametrize("width", [390, 1280])
def test_the_review_and_the_mentor_cards_pass_axe_and_fit_the_screen(
    live_server: Any, browser: Any, width: int
) -> None:
    import datetime as dt

    from mentora.people.models import Person
    from mentora.rounds.services import choices
    from mentora.rounds.tests.conftest import run_round
    from tests.pages import problems_on

    cohort = make_cohort(make_personas())
    run_round(cohort)
    review = run_round(cohort)
    Person.objects.filter(pk=cohort.mo.person_id).update(
        job_title="Principal engineer for offshore wind operations",
        location="Esbjerg",
        timezone="Europe/Copenhagen",
        languages=["da", "en", "de"],
        hire_date=dt.date(2012, 3, 1),
    )
    cohort.programme.influence_mode = "mentee_chooses"
    cohort.programme.save()
    chooser = run_round(cohort)
    choices.round_open_choosing(matching_round=chooser, actor=cohort.personas.manager)
    pages = [
        (cohort.personas.manager, f"/rounds/{review.pk}/?band=strong&rule=themes"),
        (cohort.personas.manager, f"/rounds/{review.pk}/?band=excellent"),
        (cohort.personas.mentee, "/my/matching/"),
    ]
    problems: list[str] = []
    for user, url in pages:
        viewport = {"width": width, "height": 844}
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        log_in(page, live_server.url, user.email)
        page.goto(live_server.url + url)
        assert page.locator(".person-chip").count() > 0, url
        problems += [f"{url}: {problem}" for problem in problems_on(page, viewport)]
        context.close()
    assert problems == [], "\n".join(problems)
