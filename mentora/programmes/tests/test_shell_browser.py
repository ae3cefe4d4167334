"""The programme shell in Chromium: a menu column beside the page on a wide screen, a
closed disclosure above it on a phone that never pushes the page sideways, and the
questionnaire's order changed from the keyboard alone."""

from __future__ import annotations

import os
from typing import Any

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.programmes.tests.conftest import make_setup

pytestmark = BROWSER_TEST

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("MENTORA_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_the_menu_is_a_column_on_a_wide_screen_and_a_disclosure_on_a_phone(
    live_server: Any, page: Any
) -> None:
    setup = make_setup(make_personas())
    url = f"{live_server.url}/programmes/{setup.programme.pk}/questionnaire/"
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url, "manager@test.example")
    page.goto(url)
    menu = page.locator("details.programme-menu")
    assert menu.evaluate("menu => menu.open")
    menu_box = menu.bounding_box()
    title_box = page.locator("main h1").bounding_box()
    assert menu_box["x"] + menu_box["width"] <= title_box["x"]
    current = page.get_by_role("navigation", name="Programme").locator('[aria-current="page"]')
    assert current.inner_text() == "Questionnaire"
    _shot(page, "shell-wide")

    page.set_viewport_size(PHONE)
    page.goto(url)
    assert not menu.evaluate("menu => menu.open")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not page.get_by_role("link", name="Matching rounds").is_visible()
    page.get_by_text("Programme menu").click()
    assert page.get_by_role("link", name="Matching rounds").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "shell-phone")


def test_a_question_moves_up_from_the_keyboard(live_server: Any, page: Any) -> None:
    setup = make_setup(make_personas())
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url, "manager@test.example")
    page.goto(f"{live_server.url}/programmes/{setup.programme.pk}/questionnaire/")
    button = page.get_by_role("button", name=f"Move up {setup.goals.text}")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("The question was moved.").is_visible()
    rows = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert rows[0].startswith(setup.goals.text)
    _shot(page, "questionnaire-moved")
