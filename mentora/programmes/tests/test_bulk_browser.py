"""Bulk actions in Chromium on a phone: choose everyone, preview, apply, undo; each page
passes axe-core and fits 390 px."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.programmes.models import Participant, ParticipantStatus
from mentora.programmes.tests.conftest import applicant, make_setup
from tests.pages import PHONE, problems_on

pytestmark = BROWSER_TEST

S = ParticipantStatus


def _check(page: Any) -> None:
    assert problems_on(page, PHONE) == []


def test_a_manager_approves_everyone_on_the_page_at_once_and_takes_it_back(
    live_server: Any, page: Any
) -> None:
    setup = make_setup(make_personas())
    applicants = [applicant(setup, n) for n in range(3)]
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "manager@test.example")
    page.goto(live_server.url + reverse("programme_pipeline", args=[setup.programme.pk]))
    _check(page)
    # The reason belongs to a decline: it shows only when that action is chosen.
    reason = page.get_by_label("Reason for declining (only programme managers see it)")
    page.get_by_label("Action", exact=True).select_option("decline")
    assert reason.is_visible()
    page.get_by_label("Action", exact=True).select_option("approve")
    assert reason.is_hidden()
    page.get_by_label("Choose everyone on this page").check()
    page.get_by_role("button", name="Preview", exact=True).click()
    page.get_by_text("3 will be changed.").wait_for()
    _check(page)
    assert all(
        p.status == S.APPLIED for p in Participant.objects.filter(pk__in=[a.pk for a in applicants])
    )
    page.get_by_role("button", name="Apply to 3 people").click()
    page.get_by_text("3 approved.").wait_for()
    _check(page)
    assert {p.status for p in Participant.objects.filter(pk__in=[a.pk for a in applicants])} == {
        S.APPROVED
    }
    page.get_by_role("button", name="Undo").click()
    page.get_by_text("3 are back at their previous status.").wait_for()
    assert {p.status for p in Participant.objects.filter(pk__in=[a.pk for a in applicants])} == {
        S.APPLIED
    }
