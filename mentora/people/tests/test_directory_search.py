"""The people directory finds people by name, e-mail address, unit and employee id, a page
of 50 at a time, on the same indexed search as the people picker."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_person
from mentora.people.models import OrgUnit, OrgUnitKind, Person


def _found(html: str) -> int:
    match = re.search(r'data-found="([0-9]+)"', html)
    assert match, "the directory says how many it found"
    return int(match.group(1))


def _names(html: str) -> list[str]:
    """The people listed, in order: each name links to their record."""
    table = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'/people/[0-9]+/">([^<]+)</a>', table)


@pytest.fixture
def directory(personas: Any) -> Any:
    """Acme's directory with a few more people: one in a unit of their own, and two with
    look-alike names."""
    grid = OrgUnit.objects.create(
        organisation=personas.organisation, name="Grid Operations", kind=OrgUnitKind.TEAM
    )
    make_person(
        personas.organisation,
        "N00042",
        "Priya",
        "Patel",
        email="priya.patel.42@acme.example",
        org_unit=grid,
        location="Aarhus",
    )
    make_person(personas.organisation, "N00043", "Ravi", "Jensen", location="Oslo")
    make_person(personas.organisation, "N00044", "Mette", "Sorensen", job_title="Patel expert")
    return personas


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # A name, by its beginning, whatever the case; first and last name together.
        ("pat", ["Priya Patel"]),
        ("PRIYA", ["Priya Patel"]),
        ("priya patel", ["Priya Patel"]),
        # A full e-mail address, and its beginning.
        ("priya.patel.42@acme.example", ["Priya Patel"]),
        ("priya.patel", ["Priya Patel"]),
        # A unit by a word of its name: everyone in it.
        ("Operations", ["Priya Patel"]),
        # An employee id, whole or by its beginning.
        ("N00042", ["Priya Patel"]),
        ("n0004", ["Ravi Jensen", "Priya Patel", "Mette Sorensen"]),
        # A word inside a name, or a job title, finds nobody.
        ("atel", []),
        ("expert", []),
    ],
)
def test_the_directory_finds_people_by_each_field(
    client_for: Any, directory: Any, q: str, expected: list[str]
) -> None:
    response = client_for(directory.org_admin).get(
        reverse("people_directory", args=["acme"]), {"q": q}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert _names(html) == expected
    assert _found(html) == len(expected)


def test_the_directory_lists_each_location_once(client_for: Any, directory: Any) -> None:
    make_person(directory.organisation, "N00045", "Ida", "Holm", location="Aarhus")
    make_person(directory.other_organisation, "X1", "Ole", "Other", location="Bergen")
    response = client_for(directory.org_admin).get(reverse("people_directory", args=["acme"]))
    options = re.findall(
        r"<option(?: selected)?>([^<]+)</option>",
        response.content.decode().split('id="people-location"')[1].split("</select>")[0],
    )
    assert options == ["Aarhus", "Oslo"]


def test_the_directory_pages_through_a_search(client_for: Any, personas: Any) -> None:
    Person.objects.bulk_create(
        Person(
            organisation=personas.organisation,
            employee_id=f"P{n:03d}",
            first_name=f"Page{n:03d}",
            last_name="Pager",
        )
        for n in range(120)
    )
    client = client_for(personas.org_admin)
    url = reverse("people_directory", args=["acme"])
    first = client.get(url, {"q": "pager", "sort": "employee_id"}).content.decode()
    last = client.get(url, {"q": "pager", "sort": "employee_id", "page": "3"}).content.decode()
    assert _found(first) == 120
    assert _names(first) == [f"Page{n:03d} Pager" for n in range(50)]
    assert _names(last) == [f"Page{n:03d} Pager" for n in range(100, 120)]
    assert "Page 3 of 3" in last
    # The search stays in the links to the other pages.
    assert "q=pager" in first and "page=2" in first
    descending = client.get(url, {"q": "pager", "sort": "name", "dir": "desc"}).content.decode()
    assert _names(descending)[:2] == ["Page119 Pager", "Page118 Pager"]


@pytest.mark.parametrize(
    ("who", "status"), [("outsider", 404), ("mentor", 403), ("manager", 200), ("org_admin", 200)]
)
def test_only_the_organisations_staff_search_its_directory(
    client_for: Any, directory: Any, who: str, status: int
) -> None:
    response = client_for(getattr(directory, who)).get(
        reverse("people_directory", args=["acme"]), {"q": "priya"}
    )
    assert response.status_code == status
    if status == 200:
        assert _names(response.content.decode()) == ["Priya Patel"]
