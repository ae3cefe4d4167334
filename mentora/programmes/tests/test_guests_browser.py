"""The guest pages in Chromium, on a 390 px phone: axe-core finds nothing serious and
nothing scrolls sideways; a guest applies, and an invited guest creates their account."""

from __future__ import annotations

from typing import Any

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.programmes.guest_models import Guest
from mentora.programmes.services import guests
from mentora.programmes.tests.conftest import make_setup
from tests.pages import PHONE, problems_on

pytestmark = BROWSER_TEST


def test_guests_apply_accept_and_are_listed_on_a_phone(live_server: Any, browser: Any) -> None:
    setup = make_setup(make_personas())
    invited = guests.guest_invite(
        programme=setup.programme,
        email="alumna@elsewhere.example",
        full_name="Alma Alumna",
        role="mentor",
        language="en",
        actor=setup.personas.manager,
    )
    context = browser.new_context(locale="en-GB", viewport=PHONE)
    page = context.new_page()
    # The first page of a fresh server can be slow on a busy machine.
    page.set_default_timeout(90_000)

    page.goto(f"{live_server.url}/apply/{setup.programme.application_token}/guest/")
    assert problems_on(page, PHONE) == []
    page.get_by_label("Full name").fill("Eve Expert")
    page.get_by_label("E-mail address").fill("eve@partner.example")
    page.get_by_role("button", name="Send application").click()
    page.wait_for_selector("text=The programme team will look at your application")
    assert Guest.objects.filter(email="eve@partner.example", status="applied").exists()

    page.goto(f"{live_server.url}/guest/{invited.token}/")
    assert problems_on(page, PHONE) == []
    page.locator("input[name=password]").fill("a-long-guest-password-42")
    page.locator("input[name=password_again]").fill("a-long-guest-password-42")
    page.get_by_role("button", name="Create my guest account").click()
    page.wait_for_url(f"{live_server.url}/my/programmes/")
    context.close()

    context = browser.new_context(locale="en-GB", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(90_000)
    log_in(page, live_server.url, setup.personas.manager.email)
    page.goto(f"{live_server.url}/programmes/{setup.programme.pk}/guests/")
    assert page.get_by_text("Eve Expert").count() == 1
    assert problems_on(page, PHONE) == []
    context.close()
