"""The single sign-on pages in Chromium: axe-core finds nothing serious and nothing
scrolls sideways on a 390 px phone; the log-in page sends a work address on to the
organisation's own log-in."""

from __future__ import annotations

from typing import Any

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.sso.services import identity_provider_update
from tests.pages import PHONE, problems_on

pytestmark = BROWSER_TEST


def test_the_log_in_refusal_and_settings_pages_fit_a_phone_and_pass_axe(
    live_server: Any, browser: Any
) -> None:
    personas = make_personas()
    identity_provider_update(
        organisation=personas.organisation,
        actor=personas.org_admin,
        enabled=True,
        protocol="oidc",
        domains="acme.example",
        password_login=False,
        # Nothing listens here: the log-in page must say so plainly.
        oidc_issuer="http://127.0.0.1:9/tenant",
        oidc_client_id="mentora",
        oidc_client_secret="a-long-client-secret",
    )
    # A tab of its own: the refusal page answers 403, which the shared tab counts as an
    # error (its HTML is checked with every other page in tests/test_every_page.py).
    context = browser.new_context(locale="en-GB", viewport=PHONE)
    page = context.new_page()
    # The first page of a fresh server can be slow on a busy machine.
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/login/")
    assert problems_on(page, PHONE) == []

    page.get_by_label("Work e-mail address").fill("ada@acme.example")
    page.get_by_role("button", name="Log in with your organisation").click()
    page.wait_for_selector("text=could not be reached")
    assert problems_on(page, PHONE) == []

    log_in(page, live_server.url, personas.org_admin.email)
    page.goto(f"{live_server.url}/org/acme/single-sign-on/")
    assert page.get_by_text("a-long-client-secret").count() == 0
    assert problems_on(page, PHONE) == []
    context.close()
