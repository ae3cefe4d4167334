"""In Chromium: the fairness report, reached from the round review, with its tables on a
phone and a desktop screen (axe-core, no sideways scroll), in English and Danish.

The whole-product crawl visits the page too, but its small world has fewer than five
mentees, so there the tables are not drawn; this round has enough for every part."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.rounds.services import rounds
from mentora.rounds.tests.test_fairness import _cohort
from tests.pages import DESKTOP, PHONE, problems_on

pytestmark = BROWSER_TEST


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_manager_reads_the_fairness_report_before_publishing(
    live_server: Any, page: Any, language: str
) -> None:
    from django.utils import translation

    personas = make_personas()
    programme = _cohort(personas)
    matching_round = rounds.round_run(
        round_id=rounds.round_start(programme=programme, actor=personas.manager).pk
    )
    personas.manager.language = language
    personas.manager.save()
    with translation.override(language):
        link = translation.gettext("See the fairness report")
        by_location = translation.gettext("By %(name)s") % {
            "name": translation.gettext("Location").lower()
        }
        show = translation.gettext("Show")
    log_in(page, live_server.url, personas.manager.email)
    page.goto(f"{live_server.url}/rounds/{matching_round.pk}/")
    page.get_by_role("link", name=link).click()
    page.get_by_role("heading", name=by_location).wait_for()
    assert "Oslo" in page.locator("#findings-heading + ul").inner_text()
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        assert problems_on(page, viewport, axe=language == "en") == []
    # Only the location breakdown, chosen with the form.
    for box in page.locator("input[name=by]").all():
        if box.get_attribute("value") != "location" and box.is_checked():
            box.uncheck()
    page.locator("input[name=by][value=location]").check()
    page.get_by_role("button", name=show, exact=True).click()
    page.get_by_role("heading", name=by_location).wait_for()
    assert page.locator("section h2[id^=by-]").count() == 1
