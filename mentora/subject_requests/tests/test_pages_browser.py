"""The pages of access and erasure requests in Chromium: the person asks for a copy and
watches it progress; the admin confirms an erasure; each page passes axe-core and fits a
390 px phone, in English and in Danish."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.subject_requests.models import RequestKind, RequestStatus, SubjectRequest
from mentora.subject_requests.services import requests as services
from tests.pages import PHONE, problems_on

pytestmark = BROWSER_TEST


@pytest.mark.parametrize("language", ["en", "da"])
def test_request_pages_work_on_a_phone(live_server: Any, browser: Any, language: str) -> None:
    personas = make_personas()
    for user in (personas.mentee, personas.org_admin):
        user.language = language
        user.save()
    jo = personas.people["junior"]
    problems: list[str] = []

    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    log_in(page, live_server.url, personas.mentee.email)
    page.goto(live_server.url + reverse("my_data"))
    problems += [f"my data: {p}" for p in problems_on(page, PHONE)]
    page.locator("main form button[type=submit]").click()
    request = SubjectRequest.objects.get(person=jo, kind=RequestKind.ACCESS)
    page.wait_for_url(live_server.url + reverse("subject_request", args=[request.pk]))
    assert page.locator("#request-progress progress").count() == 1
    problems += [f"copy, waiting: {p}" for p in problems_on(page, PHONE)]
    # The worker makes the copy; the page notices by itself and shows the downloads.
    services.access_request_run(request_id=request.pk)
    page.locator("a[href$='copy.pdf']").wait_for()
    problems += [f"copy, ready: {p}" for p in problems_on(page, PHONE)]
    context.close()

    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    log_in(page, live_server.url, personas.org_admin.email)
    page.goto(live_server.url + reverse("person_erase", args=["acme", jo.pk]))
    problems += [f"erase: {p}" for p in problems_on(page, PHONE)]
    page.locator("input[name=confirm]").check()
    page.locator("button.danger").click()
    page.wait_for_url(live_server.url + reverse("subject_requests", args=["acme"]))
    erasure = SubjectRequest.objects.get(person=jo, kind=RequestKind.ERASURE)
    assert erasure.status == RequestStatus.QUEUED
    problems += [f"list: {p}" for p in problems_on(page, PHONE)]
    services.erasure_request_run(request_id=erasure.pk)
    page.goto(live_server.url + reverse("subject_request", args=[erasure.pk]))
    problems += [f"erasure, done: {p}" for p in problems_on(page, PHONE)]
    context.close()
    assert problems == [], "\n".join(problems)
