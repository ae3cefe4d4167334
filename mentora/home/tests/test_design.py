"""The design system: colours that read, and the living style page for those who build pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from conftest import PERSONAS
from mentora.core.templatetags.mentora_tags import initials
from mentora.programmes.tests.conftest import make_setup

CSS = Path(settings.BASE_DIR) / "static" / "css" / "mentora.css"

# Each text colour token on each background token it is used on (WCAG 2.2, 1.4.3).
PAIRS = [
    ("ink", "paper"),
    ("ink", "wash"),
    ("muted", "paper"),
    ("muted", "wash"),
    ("brand", "paper"),
    ("brand", "wash"),
    ("brand", "brand-soft"),
    ("brand-strong", "brand-soft"),
    ("paper", "brand"),  # a primary button's words
    ("paper", "brand-strong"),  # the header's links
    ("paper", "bad"),  # a danger button's words
    ("ok", "ok-soft"),
    ("warn", "warn-soft"),
    ("bad", "bad-soft"),
    ("info", "info-soft"),
    ("ink", "accent"),  # the unread count in the header
    ("ink", "ok-soft"),  # a message's words on its tint
    ("ink", "bad-soft"),
    ("ink", "warn-soft"),
    ("ink", "info-soft"),
]


def _tokens() -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)\n}", CSS.read_text(), re.S)
    assert root is not None
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", root.group(1)))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_every_text_colour_reads_on_its_background(text: str, background: str) -> None:
    tokens = _tokens()
    ratio = contrast(tokens[text], tokens[background])
    assert ratio >= 4.5, f"--{text} on --{background}: {ratio:.2f}:1"


def test_initials_take_the_first_and_last_name() -> None:
    assert initials("Astrid Marie Nørgaard") == "AN"
    assert initials("Ole") == "O"
    assert initials("  ") == ""
    assert initials("Jean-Luc (guest)") == "J"


STYLE_PAGE = {**dict.fromkeys(PERSONAS, 403), "admin": 200, "org_admin": 200, "manager": 200}
# The outsider runs another organisation: the page shows no one's data, so they see it too.
STYLE_PAGE["outsider"] = 200


@pytest.mark.parametrize("who", PERSONAS)
def test_the_style_page_is_for_those_who_build_pages(
    personas: Any, client_for: Any, who: str
) -> None:
    response = client_for(personas.all()[who]).get("/design/")
    assert response.status_code == STYLE_PAGE[who]


def test_the_style_page_shows_each_component_as_it_renders(personas: Any, client_for: Any) -> None:
    page = client_for(personas.manager).get("/design/").content.decode()
    for component in ('class="badge is-ok"', 'class="stat"', 'class="person-chip"'):
        assert component in page
    assert '<span class="avatar" aria-hidden="true">AN</span>' in page


def test_the_style_page_asks_a_visitor_to_log_in(db: None, client_for: Any) -> None:
    response = client_for(None).get("/design/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_programme_tabs_mark_the_page_being_shown(personas: Any, client_for: Any) -> None:
    programme = make_setup(personas).programme
    page = client_for(personas.manager).get(f"/programmes/{programme.pk}/health/")
    html = page.content.decode()
    assert f'href="/programmes/{programme.pk}/health/" aria-current="page"' in html
    assert html.count('aria-current="page"') == 1
