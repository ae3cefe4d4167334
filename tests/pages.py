"""What the browser tests share about a page: the screen sizes, the language people speak,
whether a URL opens as a page, and what axe-core and a sideways scroll find wrong with it.

axe-core comes from npm (`node_modules/axe-core`). Playwright serves it to the page as if
it were one of Mentora's own scripts (`AXE_PATH`, answered by the browser, never by the
server), so the page keeps its strict content security policy while axe runs.
"""

from __future__ import annotations

from typing import Any

from conftest import REPO

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/static/test-only/axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# WCAG 2.2 A and AA; a violation that axe rates serious or critical fails the test.
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """async (rules) => (await axe.run(document, {runOnly: rules})).violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"""


def speak(language: str) -> None:
    """Every account chooses `language`, as each person would in their settings."""
    from mentora.accounts.models import User

    User.objects.update(language=language)


def is_html_page(context: Any, url: str) -> bool:
    """Asked first without the page: files (CSV, PDF, calendars) download rather than open,
    and pages this person may not see are not theirs to check."""
    answer = context.request.get(url, max_redirects=0)
    return answer.status == 200 and answer.headers.get("content-type", "").startswith("text/html")


def problems_on(page: Any, viewport: dict[str, int], axe: bool = True) -> list[str]:
    """What is wrong with the open page: a sideways scroll, and serious axe violations."""
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > viewport["width"]:
        found.append(f"{width} px wide on a {viewport['width']} px screen")
    if not axe:
        return found
    inject_axe(page)
    return found + page.evaluate(AXE_RUN, RULES)


def inject_axe(page: Any) -> None:
    """Load axe-core into the open page from its own origin, past no policy."""
    from urllib.parse import urlsplit

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    page.route(
        f"{origin}{AXE_PATH}",
        lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"),
    )
    page.add_script_tag(url=f"{origin}{AXE_PATH}")
