"""The main journeys, with the keyboard alone: Tab, Shift+Tab, Enter, Space and arrow keys.

No test here clicks or fills a field by its locator: each moves focus with Tab as a
person would, and on every stop checks that focus can be seen (the focused element has
an outline or a box shadow). What the journey did is then read from the database.
"""

from __future__ import annotations

from typing import Any

from conftest import BROWSER_TEST, ensure_shipped_libraries
from tests.pages import DESKTOP
from tests.world import World, build_world

pytestmark = BROWSER_TEST

# More stops than any page has before what a journey is looking for: a page where focus
# never gets there traps or loses it.
MOST_STOPS = 150
FOCUS = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return {
        // The page itself, or what only a skip link focuses (the content), is no tab stop.
        stop: el !== document.body && el.tabIndex >= 0,
        tag: el.tagName.toLowerCase(),
        text: (el.innerText || el.value || el.name || el.id || '').trim().slice(0, 60),
        visible: outline || style.boxShadow !== 'none',
    };
}"""


class Keyboard:
    """A browser tab driven by keys only, which checks at every stop that focus shows."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.stops: list[str] = []
        self.hidden: list[str] = []

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self._check()

    def _check(self) -> None:
        focus = self.page.evaluate(FOCUS)
        if not focus["stop"]:
            return
        where = f"{self.page.url} {focus['tag']} {focus['text']!r}"
        self.stops.append(where)
        if not focus["visible"]:
            self.hidden.append(where)

    def focused(self, selector: str) -> bool:
        return bool(
            self.page.evaluate(
                "(s) => document.activeElement !== null && document.activeElement.matches(s)",
                selector,
            )
        )

    def tab_to(self, selector: str, backwards: bool = False) -> None:
        """Tab (or Shift+Tab) until the element matching `selector` has focus."""
        for _ in range(MOST_STOPS):
            self.press("Shift+Tab" if backwards else "Tab")
            if self.focused(selector):
                return
        raise AssertionError(f"Tab never reached {selector} on {self.page.url}: {self.stops[-8:]}")

    def follow(self, selector: str) -> None:
        """Tab to a link and open it with Enter."""
        self.tab_to(selector)
        self.enter_and_wait()

    def enter_and_wait(self) -> None:
        """Press Enter on what has focus, which opens another page."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.page.wait_for_load_state()

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def skip_to_main(self) -> None:
        """The first Tab on a page reaches the skip link; Enter moves focus to the content."""
        self.press("Tab")
        assert self.focused("a.skip-link"), self.stops[-1:]
        self.press("Enter")
        assert self.focused("main#main"), "the skip link did not move focus to the content"

    def follow_from_main(self, selector: str, *, or_via: str) -> None:
        """From the content, follow the link matching `selector`; where the page links
        only to the list at the path `or_via`, follow that, then the link from there."""
        self.skip_to_main()
        self.follow(f'{selector}, main a[href="{or_via}"]')
        if self.page.url.endswith(or_via):
            self.skip_to_main()
            self.follow(selector)


def _log_in(keys: Keyboard, email: str) -> None:
    page = keys.page
    page.goto(f"{keys.base}/login/")
    # The e-mail field has focus as the page opens.
    assert keys.focused("input[name=username]"), page.evaluate("document.activeElement.outerHTML")
    keys.type(email)
    keys.tab_to("input[type=password]")
    keys.type("pw")
    keys.enter_and_wait()
    page.wait_for_url(f"{keys.base}/dashboard/")


def _start(browser: Any, live_server: Any, world: World, persona: str) -> tuple[Any, Keyboard]:
    context = browser.new_context(locale="en-GB", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    keys = Keyboard(page, live_server.url)
    _log_in(keys, world.users[persona].email)
    return context, keys


def _finish(context: Any, keys: Keyboard) -> None:
    context.close()
    assert keys.stops, "focus never stopped anywhere"
    assert keys.hidden == [], "focus could not be seen on:\n" + "\n".join(keys.hidden)


def test_a_manager_changes_a_participants_status_with_the_keyboard(
    live_server: Any, browser: Any
) -> None:
    from mentora.programmes.models import Participant

    ensure_shipped_libraries()
    world = build_world()
    programme = world.programme
    # Rita is ready to be matched; her manager takes her off the programme.
    rita = Participant.objects.get(programme=programme, person__first_name="Rita")
    context, keys = _start(browser, live_server, world, "manager")

    keys.follow_from_main(f'main a[href="/programmes/{programme.pk}/"]', or_via="/programmes/")
    keys.skip_to_main()
    keys.follow(f'main a[href="/programmes/{programme.pk}/pipeline/"]')
    keys.skip_to_main()
    keys.follow(f'main a[href="/programmes/{programme.pk}/participants/{rita.pk}/"]')
    keys.skip_to_main()
    keys.tab_to("select[name=to_status]")
    allowed = keys.page.evaluate("() => [...document.activeElement.options].map(o => o.value)")
    assert "withdrawn" in allowed, allowed
    # Arrow keys move through a closed list, as a person would choose without a mouse.
    for _ in range(len(allowed)):
        if keys.page.evaluate("document.activeElement.value") == "withdrawn":
            break
        keys.press("ArrowDown")
    keys.tab_to("textarea[name=note]")
    keys.type("Moved to another country")
    # Back and forth: Shift+Tab returns to the list without leaving the form.
    keys.tab_to("select[name=to_status]", backwards=True)
    keys.tab_to('main form button[type="submit"]')
    keys.enter_and_wait()

    rita.refresh_from_db()
    assert rita.status == "withdrawn"
    assert keys.page.get_by_test_id("status").inner_text() == rita.get_status_display()
    _finish(context, keys)


def test_a_mentee_writes_an_agenda_with_the_keyboard(live_server: Any, browser: Any) -> None:
    from mentora.relationships.models import Meeting

    ensure_shipped_libraries()
    world = build_world()
    pair = world.pairs["A"]
    coming = Meeting.objects.filter(pair=pair).order_by("-starts_at").first()
    assert coming is not None
    context, keys = _start(browser, live_server, world, "mentee")

    keys.follow_from_main(f'main a[href="/pairs/{pair.pk}/"]', or_via="/my/matching/")
    keys.skip_to_main()
    keys.follow(f'main a[href="/meetings/{coming.pk}/"]')
    keys.skip_to_main()
    keys.tab_to("textarea#agenda-text")
    keys.press("ControlOrMeta+a")
    keys.type("Talk about the move to the new team")
    keys.tab_to("main form button[type=submit]")
    keys.enter_and_wait()

    coming.refresh_from_db()
    assert coming.agenda == "Talk about the move to the new team"
    _finish(context, keys)


def test_a_mentor_answers_a_survey_with_the_keyboard(live_server: Any, browser: Any) -> None:
    from mentora.surveys.models import Invitation

    ensure_shipped_libraries()
    world = build_world()
    invitation = Invitation.objects.get(user=world.users["mentor"], answered_at=None)
    context, keys = _start(browser, live_server, world, "mentor")
    answer = f"/surveys/answer/{invitation.token}/"

    keys.follow_from_main(f'main a[href="{answer}"]', or_via="/my/surveys/")
    keys.skip_to_main()
    # Every question in turn: a choice with Space and the arrow keys, words typed.
    questions = keys.page.evaluate(
        "() => [...new Set([...document.querySelectorAll('main form [name]')]"
        ".filter(e => e.type !== 'hidden').map(e => e.name))]"
    )
    for name in questions:
        keys.tab_to(f'[name="{name}"]')
        kind = keys.page.evaluate("document.activeElement.type")
        if kind == "radio":
            keys.press("Space")
            keys.press("ArrowRight")
        elif kind == "checkbox":
            keys.press("Space")
        elif kind.startswith("select"):
            keys.press("ArrowDown")
        else:
            keys.type("3" if kind == "number" else "Good talks")
    keys.tab_to("main form button[type=submit]")
    keys.enter_and_wait()

    invitation.refresh_from_db()
    assert invitation.answered_at is not None, keys.page.content()[:2000]
    _finish(context, keys)
