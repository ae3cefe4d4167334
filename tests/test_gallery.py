"""A gallery of screenshots: the main pages as each demo persona sees them, on a desktop
screen and on a phone, in English and in Danish.

The demo organisation is seeded as `bin/run` seeds it. Each persona logs in once; its
pages are then shot full length at 1280 and 390 px in both languages, into
`$MENTORA_SCREENSHOTS` (by default `var/screenshots/`, which is never committed), with
an `index.html` that lists them. The run leaves the folder for people to look through.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from conftest import BROWSER_TEST, REPO, ensure_shipped_libraries
from tests.pages import DESKTOP, PHONE, is_html_page, speak

pytestmark = BROWSER_TEST

SIZES = {"desktop": DESKTOP, "phone": PHONE}
LANGUAGES = ("en", "da")
# Each persona's main pages: what they open most, rather than every page they may open.
PERSONAS = {
    "admin": ("dashboard", "programmes", "people"),
    "orgadmin": ("dashboard", "people", "notifications"),
    "manager": (
        "dashboard",
        "programme-overview",
        "participants",
        "round-review",
        "pairs",
        "relationship-health",
        "report",
        "survey-results",
    ),
    "sponsor": ("dashboard", "programme-overview", "report"),
    "linemanager": ("dashboard", "approvals", "notifications"),
    "mentor": ("dashboard", "my-programmes", "pair-space", "meeting", "notifications"),
    "mentee": ("dashboard", "my-programmes", "my-matching", "my-surveys"),
}
PNG = b"\x89PNG\r\n\x1a\n"


def gallery_folder() -> Path:
    return Path(os.environ.get("MENTORA_SCREENSHOTS") or REPO / "var" / "screenshots")


def demo_pages() -> list[tuple[str, str]]:
    """(name, URL) of the main pages of the demo organisation."""
    from django.urls import reverse

    from mentora.demo.seed import ORGANISATION_SLUG
    from mentora.relationships.models import Meeting, Pair
    from mentora.rounds.models import MatchingRound
    from mentora.surveys.models import Survey

    pair = Pair.objects.filter(mentor__user__email="mentor@example.org").order_by("pk").first()
    assert pair is not None, "the demo has no pair for its mentor"
    programme = pair.programme_id
    meeting = Meeting.objects.filter(pair=pair).order_by("starts_at").first()
    matching_round = MatchingRound.objects.filter(programme_id=programme).first()
    survey = Survey.objects.order_by("-pk").first()
    assert meeting and matching_round and survey, "the demo lacks a meeting, round or survey"
    return [
        ("dashboard", reverse("dashboard")),
        ("programmes", reverse("programme_list")),
        ("programme-overview", reverse("programme_detail", args=[programme])),
        ("participants", reverse("programme_pipeline", args=[programme])),
        ("round-review", reverse("round_detail", args=[matching_round.pk])),
        ("pairs", reverse("programme_pairs", args=[programme])),
        ("relationship-health", reverse("pair_health", args=[programme])),
        ("pair-space", reverse("pair_workspace", args=[pair.pk])),
        ("meeting", reverse("meeting_detail", args=[meeting.pk])),
        ("report", reverse("programme_report", args=[survey.programme_id])),
        ("survey-results", reverse("survey_detail", args=[survey.pk])),
        ("people", reverse("people_directory", args=[ORGANISATION_SLUG])),
        ("approvals", reverse("line_manager_approvals")),
        ("my-programmes", reverse("my_programmes")),
        ("my-matching", reverse("my_matching")),
        ("my-surveys", reverse("my_surveys")),
        ("notifications", reverse("notification_inbox")),
    ]


def _index(shots: list[tuple[str, str, str, str, str]]) -> str:
    rows = "\n".join(
        f'<li><a href="{html.escape(file)}">{html.escape(f"{who}: {name}, {size}, {lang}")}'
        "</a></li>"
        for who, name, size, lang, file in shots
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>Mentora screenshots</title></head>\n<body>\n<h1>Mentora screenshots</h1>\n"
        f"<ul>\n{rows}\n</ul>\n</body>\n</html>\n"
    )


def test_gallery_shows_every_personas_main_pages(live_server: Any, browser: Any) -> None:
    from mentora.demo.seed import DEMO_PASSWORD, seed_demo

    ensure_shipped_libraries()
    seed_demo(people=120)
    pages = dict(demo_pages())
    folder = gallery_folder()
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("*.png"), folder / "index.html"]:
        old.unlink(missing_ok=True)
    shots: list[tuple[str, str, str, str, str]] = []
    for persona, names in PERSONAS.items():
        context = browser.new_context(viewport=DESKTOP, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{live_server.url}/login/")
        page.locator("input[name=username]").fill(f"{persona}@example.org")
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator('main form[action$="/login/"] button[type=submit]').click()
        page.wait_for_url(f"{live_server.url}/dashboard/")
        own = [(name, pages[name]) for name in names]
        for name, url in own:
            assert is_html_page(context, live_server.url + url), f"{persona} may not see {name}"
        for language in LANGUAGES:
            speak(language)
            for size, viewport in SIZES.items():
                page.set_viewport_size(viewport)
                for name, url in own:
                    page.goto(live_server.url + url)
                    assert page.evaluate("document.documentElement.lang") == language, url
                    file = f"{persona}-{name}-{size}-{language}.png"
                    page.screenshot(path=str(folder / file), full_page=True)
                    shots.append((persona, name, size, language, file))
        context.close()
    (folder / "index.html").write_text(_index(shots), encoding="utf-8")

    for *_, file in shots:
        assert (folder / file).read_bytes().startswith(PNG), file
    assert len(shots) == len(SIZES) * len(LANGUAGES) * sum(map(len, PERSONAS.values()))
