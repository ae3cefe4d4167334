"""Every page passes axe-core and fits a 390 px phone, in Chromium.

The pages are the crawler's (`tests/crawl.py`): every route that answers GET, with the
first ids the world holds (the whole-product guards in `test_every_page.py` try every id
without a browser; one page a route keeps this part short). Three visits share one check:

- on a phone, every page once, as the first person of the world who may see it, and the
  main pages as each person (what a page offers differs most between people there);
- on a desktop screen, every page once, as the first person of the world who may see it
  (width is what differs);
- on a phone in Danish, the main pages as each person, for a sideways scroll only: Danish
  words run longer, and must not push a layout sideways.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import BROWSER_TEST, ensure_shipped_libraries, log_in
from tests.crawl import id_pools, routes, urls
from tests.pages import DESKTOP, PHONE, is_html_page, problems_on, speak
from tests.world import build_world

pytestmark = BROWSER_TEST

# Routes a visit would change: logging out ends the session the rest of the visit needs.
NOT_VISITED = {"logout"}
# The pages people open most, by route name.
MAIN_PAGES = frozenset(
    {
        "dashboard",
        "programme_list",
        "programme_detail",
        "programme_pipeline",
        "participant_detail",
        "round_detail",
        "programme_pairs",
        "pair_workspace",
        "meeting_detail",
        "pair_health",
        "programme_report",
        "survey_list",
        "survey_detail",
        "notification_inbox",
        "my_programmes",
        "my_surveys",
        "my_matching",
        "people_directory",
        "account_settings",
    }
)


@dataclass(frozen=True)
class Visit:
    viewport: dict[str, int]
    language: str
    # Each page by the first person who may see it, rather than by everyone who may.
    once: bool = False
    # With `once`, these routes are still visited as everyone who may see them.
    by_everyone: frozenset[str] = frozenset()
    # Only these routes (None: every route).
    only: frozenset[str] | None = None
    # Run axe-core too, not only the check for a sideways scroll.
    axe: bool = True


VISITS = {
    "phone": Visit(PHONE, "en", once=True, by_everyone=MAIN_PAGES),
    "desktop": Visit(DESKTOP, "en", once=True),
    # What differs in Danish is the length of words; axe has seen every page already.
    "danish-phone": Visit(PHONE, "da", only=MAIN_PAGES, axe=False),
}


def pages(only: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """(route name, URL) of the first page of every route that answers GET."""
    pools = id_pools()
    found = []
    for route in routes():
        if route.accepts_get and route.name not in NOT_VISITED:
            if only is not None and route.name not in only:
                continue
            first = next(urls(route, pools), None)
            if first is not None:
                found.append((route.name, first))
    return found


@pytest.mark.parametrize("visit", VISITS.values(), ids=VISITS)
def test_pages_pass_axe_and_do_not_scroll_sideways(
    live_server: Any, browser: Any, visit: Visit
) -> None:
    ensure_shipped_libraries()
    world = build_world()
    speak(visit.language)
    to_check = pages(visit.only)
    checked: Counter[str] = Counter()
    done: set[str] = set()
    problems: list[str] = []
    for persona, user in world.users.items():
        # The login page speaks the browser's language; the rest, the person's own.
        context = browser.new_context(viewport=visit.viewport, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, live_server.url, user.email)
        for name, url in to_check:
            if visit.once and url in done and name not in visit.by_everyone:
                continue
            if not is_html_page(context, live_server.url + url):
                continue
            page.goto(live_server.url + url)
            checked[persona] += 1
            done.add(url)
            language = page.evaluate("document.documentElement.lang")
            if language != visit.language:
                problems.append(f"{persona} {url}: in {language!r}, not {visit.language!r}")
            problems += [
                f"{persona} {url}: {p}" for p in problems_on(page, visit.viewport, visit.axe)
            ]
        context.close()
    if visit.once:
        # Every main page was seen by someone: a visit that lost its session would not.
        assert MAIN_PAGES - {name for name, url in to_check if url in done} == set(), done
    if not visit.once or visit.by_everyone:
        # Everyone reached their own pages: a visit that lost its session would check nothing.
        assert all(checked[persona] >= 3 for persona in world.users), checked
    assert problems == [], "\n".join(problems)
