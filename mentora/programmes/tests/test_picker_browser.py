"""In Chromium: a manager finds a person by typing, picks them with the keyboard and
invites them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.programmes.models import Participant
from mentora.programmes.tests.conftest import make_setup

pytestmark = BROWSER_TEST


def test_a_manager_types_three_letters_picks_with_the_keyboard_and_invites(
    live_server: Any, page: Any
) -> None:
    setup = make_setup(make_personas())
    log_in(page, live_server.url, setup.personas.manager.email)
    page.goto(live_server.url + reverse("programme_pipeline", args=[setup.programme.pk]))

    box = page.get_by_role("combobox", name="Find people")
    box.press_sequentially("jun")
    listbox = page.get_by_role("listbox")
    listbox.get_by_role("option", name="Jo Junior").wait_for()
    box.press("Escape")
    assert listbox.is_hidden()
    assert box.get_attribute("aria-expanded") == "false"

    box.fill("")
    box.press_sequentially("hro")
    option = listbox.get_by_role("option", name="Hanne Hronly")
    option.wait_for()
    assert "Acme Energy" in option.inner_text()
    assert page.get_by_role("status").filter(has_text="1 found").count() == 1
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    assert option.get_attribute("aria-selected") == "true"
    box.press("Enter")
    assert listbox.is_hidden()
    assert page.get_by_role("button", name="Remove Hanne Hronly").is_visible()

    page.get_by_role("button", name="Send invitations").click()
    page.get_by_text("1 invitation(s) sent.").wait_for()
    invited = Participant.objects.get(programme=setup.programme)
    assert invited.person.full_name == "Hanne Hronly"
