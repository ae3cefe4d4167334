"""End to end in Debian's Chromium: log in as each persona, switch language, see the dashboard."""

from __future__ import annotations

from typing import Any

from conftest import BROWSER_TEST, log_in, make_personas

pytestmark = BROWSER_TEST


EXPECTED_CARD = {
    "admin": "Platform administration",
    "org_admin": "Organisation",
    "manager": "Programmes you run",
    "sponsor": "Sponsor",
    "mentor": "Your mentoring",
    "mentee": "Your learning",
    "line_manager": "Your team members in programmes",
    "outsider": "Other Works",
}


def test_every_persona_logs_in_and_sees_their_own_dashboard(live_server: Any, page: Any) -> None:
    personas = make_personas()
    for name, user in personas.all().items():
        log_in(page, live_server.url, user.email)
        assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
        assert page.get_by_text(EXPECTED_CARD[name], exact=True).first.is_visible(), name
        if name != "admin":
            assert page.get_by_text("Platform administration").count() == 0
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{live_server.url}/login/")


def test_switching_to_danish_and_back(live_server: Any, page: Any) -> None:
    personas = make_personas()
    log_in(page, live_server.url, personas.mentee.email)
    page.get_by_label("Language").select_option("da")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Velkommen")
    assert page.get_by_role("button", name="Log ud").is_visible()
    # The choice stays with the account: a new session opens in Danish too.
    personas.mentee.refresh_from_db()
    assert personas.mentee.language == "da"
    page.get_by_label("Sprog").select_option("en")
    page.get_by_role("button", name="Skift sprog").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")


def test_the_skip_link_moves_focus_to_the_main_content(live_server: Any, page: Any) -> None:
    log_in(page, live_server.url, make_personas().manager.email)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
