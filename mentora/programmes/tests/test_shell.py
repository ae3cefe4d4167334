"""The programme shell: breadcrumbs and a menu grouped by the work, each link shown only to
those who may follow it, and the page being shown marked for screen readers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from mentora.programmes.tests.conftest import Setup

MANAGEMENT = {
    "programme_edit": "Design",
    "programme_questionnaire": "Questionnaire",
    "programme_events": "Workshops",
    "round_list": "Matching rounds",
    "programme_pairs": "Pairs",
    "programme_groups": "Groups",
    "pair_health": "Relationship health",
    "expert_network": "Expert network",
    "survey_list": "Surveys",
}
FOR_READERS = {
    "programme_detail": "Overview",
    "programme_health": "Health check",
    "programme_pipeline": "Participants",
    "programme_report": "Outcome report",
    "programme_standards": "Standards evidence pack",
    "programme_stories": "Stories",
}


def _menu(html: str) -> str:
    found = re.search(r'<details class="programme-menu">.*?</details>', html, re.DOTALL)
    assert found, "no programme menu on the page"
    return found.group(0)


def _links(menu: str, programme_id: int) -> set[str]:
    every = {**MANAGEMENT, **FOR_READERS}
    return {name for name in every if f'href="{reverse(name, args=[programme_id])}"' in menu}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("manager", {*MANAGEMENT, *FOR_READERS}),
        ("org_admin", {*MANAGEMENT, *FOR_READERS}),
        ("sponsor", set(FOR_READERS)),
    ],
)
def test_each_reader_sees_the_links_they_may_follow(
    client_for: Any, setup: Setup, who: str, sees: set[str]
) -> None:
    pk = setup.programme.pk
    html = client_for(getattr(setup.personas, who)).get(reverse("programme_detail", args=[pk]))
    menu = _menu(html.content.decode())
    assert _links(menu, pk) == sees
    for group in ("Set up", "Match", "Evaluate"):
        assert f">{group}</p>" in menu
    assert (">Support</p>" in menu) == (who != "sponsor")


@pytest.mark.parametrize(
    ("page", "label"),
    [
        ("programme_questionnaire", "Questionnaire"),
        ("programme_report", "Outcome report"),
        ("survey_list", "Surveys"),
        ("pair_health", "Relationship health"),
    ],
)
def test_the_page_being_shown_is_marked_in_the_menu_and_named_in_the_breadcrumbs(
    client_for: Any, setup: Setup, page: str, label: str
) -> None:
    pk = setup.programme.pk
    url = reverse(page, args=[pk])
    html = client_for(setup.personas.manager).get(url).content.decode()
    menu = _menu(html)
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', menu) == [url]
    crumbs = re.search(
        r'<nav class="breadcrumbs[^"]*" aria-label="Breadcrumbs"><ol>(.*?)</ol>', html, re.DOTALL
    )
    assert crumbs
    items = re.findall(r"<li>(.*?)</li>", crumbs.group(1), re.DOTALL)
    assert [re.sub(r"<[^>]+>", "", item).strip() for item in items] == [
        "Dashboard",
        "Programmes",
        setup.programme.name,
        label,
    ]


def test_a_page_below_a_section_names_itself_and_marks_no_link(
    client_for: Any, setup: Setup
) -> None:
    url = reverse("question_edit", args=[setup.programme.pk, setup.goals.pk])
    html = client_for(setup.personas.manager).get(url).content.decode()
    assert 'aria-current="page"' not in _menu(html)
    assert "<li>Edit a question</li>" in html
