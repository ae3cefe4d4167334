"""Every page each persona reaches passes axe-core and fits a 390 px phone, in Chromium.

The pages are the crawler's (`tests/crawl.py`): every route that answers GET, with the
first ids the world holds (the whole-product guards in `test_every_page.py` try every id
without a browser; one page a route keeps this part short), opened as each person of the
world on a phone-sized screen. axe-core comes from npm (`node_modules/axe-core`) and is
injected by Playwright, which is allowed past the content security policy for that.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from conftest import BROWSER_TEST, REPO, ensure_shipped_libraries, log_in
from tests.crawl import id_pools, routes, urls
from tests.world import build_world

pytestmark = BROWSER_TEST

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
# WCAG 2.2 A and AA; a violation that axe rates serious or critical fails the test.
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """async (rules) => (await axe.run(document, {runOnly: rules})).violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"""
# Routes a visit would change: logging out ends the session the rest of the visit needs.
NOT_VISITED = {"logout"}


def _pages() -> list[str]:
    pools = id_pools()
    pages = []
    for route in routes():
        if route.accepts_get and route.name not in NOT_VISITED:
            first = next(urls(route, pools), None)
            if first is not None:
                pages.append(first)
    return pages


def test_every_page_passes_axe_and_fits_a_phone(live_server: Any, browser: Any) -> None:
    ensure_shipped_libraries()
    world = build_world()
    pages = _pages()
    checked: Counter[str] = Counter()
    problems: list[str] = []
    for persona, user in world.users.items():
        context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, live_server.url, user.email)
        for url in pages:
            # Asked first without the page: files (CSV, PDF, calendars) download rather than
            # open, and pages this person may not see are not theirs to check.
            answer = context.request.get(live_server.url + url, max_redirects=0)
            kind = answer.headers.get("content-type", "")
            if answer.status != 200 or not kind.startswith("text/html"):
                continue
            page.goto(live_server.url + url)
            checked[persona] += 1
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{persona} {url}: {width} px wide on a 390 px phone")
            page.add_script_tag(path=str(AXE))
            problems += [f"{persona} {url}: {v}" for v in page.evaluate(AXE_RUN, RULES)]
        context.close()
    # Everyone reached their own pages: a visit that lost its session would check nothing.
    assert all(checked[persona] >= 5 for persona in world.users), checked
    assert problems == [], "\n".join(problems)
