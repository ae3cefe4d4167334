"""The token and webhook pages in Chromium: a token made and shown once, a test sent, each
page passing axe-core and fitting a 390 px phone in English and in Danish."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.api.models import ApiToken, token_hash
from mentora.webhooks.models import Delivery, DeliveryStatus, Webhook, WebhookEvent
from tests.pages import PHONE, problems_on

pytestmark = BROWSER_TEST


@pytest.mark.parametrize("language", ["en", "da"])
def test_token_and_webhook_pages_work_on_a_phone(
    live_server: Any, page: Any, language: str
) -> None:
    personas = make_personas()
    admin = personas.org_admin
    admin.language = language
    admin.save()
    # Long addresses and answers are what would push a phone's page sideways.
    webhook = Webhook.objects.create(
        organisation=personas.organisation,
        url="https://hr-integration.example/" + "mentora-events/" * 8,
        events=[WebhookEvent.PAIR_STARTED, WebhookEvent.PERSON_LEFT],
    )
    Delivery.objects.create(
        webhook=webhook,
        event=WebhookEvent.PAIR_STARTED,
        payload={"pair_id": 1},
        status=DeliveryStatus.FAILED,
        attempts=6,
        response_status=500,
        response_body="<html>" + "Internal-server-error-" * 30,
    )
    page.set_default_timeout(30_000)
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, admin.email)
    problems: list[str] = []

    page.goto(live_server.url + reverse("organisation_tokens", args=["acme"]))
    page.locator("input[name=name]").fill("HR sync")
    page.locator("input[name=scopes][value='people:read']").check()
    page.locator("form:has(input[name=name]) button[type=submit]").click()
    shown = page.locator(".token-once code").inner_text()
    token = ApiToken.objects.get()
    assert token.hashed == token_hash(shown) and token.organisation == personas.organisation
    problems += [f"organisation tokens: {p}" for p in problems_on(page, PHONE)]

    for name, url in [
        ("personal tokens", reverse("personal_tokens")),
        ("webhooks", reverse("webhook_list", args=["acme"])),
        ("webhook", reverse("webhook_detail", args=["acme", webhook.pk])),
    ]:
        page.goto(live_server.url + url)
        problems += [f"{name}: {p}" for p in problems_on(page, PHONE)]
    page.locator(f"form[action$='/webhooks/{webhook.pk}/test/'] button").click()
    page.wait_for_selector(".message-success")
    assert Delivery.objects.filter(event=WebhookEvent.TEST).count() == 1
    assert page.evaluate("document.documentElement.lang") == language
    assert problems == [], "\n".join(problems)
