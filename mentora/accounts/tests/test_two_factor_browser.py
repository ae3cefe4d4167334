"""In Chromium, on a phone: an organisation admin requires two-factor log-in, is sent to set
it up, scans nothing but types the key's code, keeps the recovery codes, creates a SCIM
token, and logs in again with a code. Every page passes axe-core and fits the screen."""

from __future__ import annotations

import time
from typing import Any

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.accounts.tests.test_two_factor import totp
from tests.pages import PHONE, problems_on

pytestmark = BROWSER_TEST


def test_an_admin_sets_up_two_factor_log_in_and_provisioning_on_a_phone(
    live_server: Any, page: Any
) -> None:
    make_personas()
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.set_default_timeout(30_000)
    problems: list[str] = []

    def check(what: str) -> None:
        problems.extend(f"{what}: {problem}" for problem in problems_on(page, PHONE))

    log_in(page, base, "orgadmin@test.example")
    page.goto(f"{base}/org/acme/security/")
    check("log-in rules")
    page.get_by_label("Require two-factor log-in for administrators and programme managers").check()
    page.get_by_role("button", name="Save").click()

    # From now on nothing opens before the set-up.
    page.goto(f"{base}/org/acme/")
    page.wait_for_url(f"{base}/account/two-factor/**")
    assert page.locator("svg.qr-code").is_visible()
    check("set-up")
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code from the app").fill(totp(secret))
    page.get_by_role("button", name="Turn on two-factor log-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    check("recovery codes")
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url(f"{base}/org/acme/")

    page.goto(f"{base}/org/acme/scim/")
    check("SCIM tokens, none yet")
    page.get_by_label("Name").fill("Entra ID")
    page.get_by_role("button", name="Create token").click()
    page.get_by_role("heading", name="Your new token").wait_for()
    check("SCIM token shown once")

    page.get_by_role("button", name="Log out").click()
    page.goto(f"{base}/login/")
    # The password form only: the page also offers "Log in with your organisation".
    form = page.locator('form[action$="/login/"]')
    form.get_by_label("E-mail address").fill("orgadmin@test.example")
    form.get_by_label("Password").fill("pw")
    form.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/login/verify/**")
    check("code at log-in")
    page.get_by_label("Code").fill(totp(secret, at=time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/dashboard/")
    assert problems == [], "\n".join(problems)
