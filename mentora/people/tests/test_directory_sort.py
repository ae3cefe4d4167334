"""The people directory sorts by name, job title, unit and employee id, with its filters
and the checkboxes to invite the chosen people kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_person
from mentora.programmes.services import design

NAMES = ("Bo Boss", "Lena Lead", "Jo Junior", "Ada Zed")


def _order(html: str) -> list[str]:
    """The people listed, in the order of their rows (their names link to their record;
    the manager column names them too, unlinked)."""
    table = html.split("<tbody>")[1]
    shown = [name for name in NAMES if f">{name}</a>" in table]
    return sorted(shown, key=lambda name: table.index(f">{name}</a>"))


@pytest.fixture
def zed(personas: Any) -> Any:
    return make_person(personas.organisation, "A0", "Ada", "Zed", job_title="Analyst")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Bo Boss", "Jo Junior", "Lena Lead", "Ada Zed"]),
        ({"sort": "name", "dir": "desc"}, ["Ada Zed", "Lena Lead", "Jo Junior", "Bo Boss"]),
        ({"sort": "employee_id"}, ["Ada Zed", "Bo Boss", "Lena Lead", "Jo Junior"]),
        ({"sort": "unit"}, ["Jo Junior", "Lena Lead", "Bo Boss", "Ada Zed"]),
        # Then by last name, the same way round.
        ({"sort": "job_title", "dir": "desc"}, ["Ada Zed", "Lena Lead", "Jo Junior", "Bo Boss"]),
        # A forged key is ignored: the default order, and no error.
        (
            {"sort": "email) --", "dir": "sideways"},
            ["Bo Boss", "Jo Junior", "Lena Lead", "Ada Zed"],
        ),
    ],
)
def test_the_directory_sorts_by_the_chosen_column(
    client_for: Any, personas: Any, zed: Any, params: dict[str, str], expected: list[str]
) -> None:
    response = client_for(personas.org_admin).get(
        reverse("people_directory", args=["acme"]), params
    )
    assert response.status_code == 200
    assert _order(response.content.decode()) == expected


def test_sorting_keeps_the_filters_and_the_checkboxes(
    client_for: Any, personas: Any, zed: Any
) -> None:
    # Organisation admins choose people to invite once there is a programme.
    design.programme_create(
        organisation=personas.organisation,
        actor=personas.manager,
        name="Graduates",
        purpose="Keep our graduates.",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 11, 1),
    )
    response = client_for(personas.org_admin).get(
        reverse("people_directory", args=["acme"]), {"q": "Apps-none", "sort": "employee_id"}
    )
    html = response.content.decode()
    # The filter form keeps the sort; the headers keep the filter.
    assert '<input type="hidden" name="sort" value="employee_id">' in html
    assert "q=Apps-none" in html
    filtered = client_for(personas.org_admin).get(
        reverse("people_directory", args=["acme"]),
        {"unit": str(personas.people["lead"].org_unit_id), "sort": "name", "dir": "desc"},
    )
    page = filtered.content.decode()
    assert _order(page) == ["Lena Lead", "Jo Junior"]
    assert 'aria-sort="descending"' in page
    junior = personas.people["junior"]
    assert f'name="ids" value="{junior.pk}"' in page
