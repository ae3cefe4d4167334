"""In Chromium: a pair signs its agreement, plans and holds a meeting; the manager sees the
pair's health and never its notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.relationships.models import Meeting, Pair
from mentora.rounds.services import proposals, rounds
from mentora.rounds.tests.conftest import make_cohort

pytestmark = BROWSER_TEST

SECRET = "Thinking about a move to Oslo"


def test_a_pair_works_together_and_the_manager_sees_health_not_notes(
    live_server: Any, page: Any, browser: Any
) -> None:
    cohort = make_cohort(make_personas())
    matching_round = rounds.round_run(
        round_id=rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager).pk
    )
    pairs = proposals.round_publish(matching_round=matching_round, actor=cohort.personas.manager)
    pair = next(p for p in pairs if p.mentee == cohort.junior)
    base = live_server.url

    # The mentee writes and signs the agreement, plans a meeting and writes the agenda.
    log_in(page, base, cohort.personas.mentee.email)
    page.goto(f"{base}/my/matching/")
    page.get_by_role("link", name="Open your mentoring space").click()
    page.get_by_label("how often you meet").fill("Every third week")
    page.get_by_label("how many meetings").fill("8")
    page.get_by_label("what the mentee wants to learn").fill("Leading without authority")
    page.get_by_label("how you will work together").fill("Walks and talks")
    page.get_by_label("what we say stays between us, both ways").check()
    page.get_by_label("the programme is not a recruitment channel").check()
    page.get_by_label("formal end date").fill("2027-10-31")
    page.get_by_role("button", name="Save the agreement").click()
    page.get_by_role("button", name="Sign the agreement").click()
    page.get_by_text("Plan a meeting").click()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.locator("#id_date").fill(tomorrow.isoformat())
    page.locator("#id_time").fill("10:00")
    page.locator("#id_place").fill("Café")
    page.get_by_role("button", name="Plan and send invitations").click()
    page.locator("a[href^='/meetings/']").first.click()
    page.get_by_label("What you would like to talk about").fill(SECRET)
    page.get_by_role("button", name="Save the agenda").click()
    page.get_by_label("Notes", exact=True).fill(SECRET + " - notes")
    page.get_by_role("button", name="Save the notes").click()

    # The meeting takes place; the mentor signs and rates it.
    meeting = Meeting.objects.get(pair=pair)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    mentor_context = browser.new_context()
    mentor = mentor_context.new_page()
    log_in(mentor, base, cohort.personas.mentor.email)
    mentor.goto(f"{base}/pairs/{pair.pk}/")
    mentor.get_by_role("button", name="Sign the agreement").click()
    mentor.get_by_text("signed by both").wait_for()
    mentor.goto(f"{base}/meetings/{meeting.pk}/")
    assert SECRET in mentor.content()
    mentor.get_by_label("How was it? (1-5)").fill("5")
    mentor.get_by_role("button", name="Save my rating").click()
    mentor_context.close()
    assert Meeting.objects.get(pk=meeting.pk).mentor_rating == 5

    # The manager sees the pair's health and never what they wrote.
    manager_context = browser.new_context()
    manager = manager_context.new_page()
    log_in(manager, base, cohort.personas.manager.email)
    manager.goto(f"{base}/programmes/{cohort.programme.pk}/pair-health/")
    manager.get_by_text("1 of about", exact=False).first.wait_for()
    assert SECRET not in manager.content()
    response = manager.goto(f"{base}/meetings/{meeting.pk}/")
    assert response is not None and response.status == 403
    assert SECRET not in manager.content()
    manager_context.close()
    assert Pair.objects.get(pk=pair.pk).agreements.get().is_signed
