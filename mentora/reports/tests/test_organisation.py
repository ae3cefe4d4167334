"""Outcomes across an organisation's programmes: who may read them, and what they hide."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_person
from mentora.programmes.models import Participant, Programme
from mentora.programmes.services import design
from mentora.reports.organisation import outcomes


def _programme(personas: Any, name: str, *, taking_part: int = 0) -> Programme:
    programme = design.programme_create(
        organisation=personas.organisation,
        actor=personas.manager,
        name=name,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 11, 1),
    )
    for i in range(taking_part):
        person = make_person(personas.organisation, f"{name}-{i}", "P", str(i))
        Participant.objects.create(
            programme=programme, person=person, role="mentee", status="active"
        )
    return programme


@pytest.fixture
def two(personas: Any) -> tuple[Programme, Programme]:
    backed = _programme(personas, "Graduates backed")
    other = _programme(personas, "Leaders elsewhere")
    backed.sponsors.add(personas.sponsor)
    return backed, other


def _url(personas: Any) -> str:
    return reverse("organisation_outcomes", args=[personas.organisation.slug])


def test_an_organisation_admin_sees_every_programme(
    client_for: Any, personas: Any, two: Any
) -> None:
    page = client_for(personas.org_admin).get(_url(personas))
    assert page.status_code == 200
    assert all(p.name in page.content.decode() for p in two)


def test_a_sponsor_sees_only_the_programmes_they_sponsor(
    client_for: Any, personas: Any, two: Any
) -> None:
    backed, other = two
    page = client_for(personas.sponsor).get(_url(personas))
    assert page.status_code == 200
    assert backed.name in page.content.decode()
    assert other.name not in page.content.decode()


@pytest.mark.parametrize("persona", ["manager", "mentor", "mentee", "line_manager"])
def test_other_members_are_refused(client_for: Any, personas: Any, two: Any, persona: str) -> None:
    assert client_for(getattr(personas, persona)).get(_url(personas)).status_code == 403


def test_an_outsider_gets_404(client_for: Any, personas: Any, two: Any) -> None:
    assert client_for(personas.outsider).get(_url(personas)).status_code == 404


def test_the_dashboard_links_admins_and_sponsors_to_it(
    client_for: Any, personas: Any, two: Any
) -> None:
    for persona, linked in (("org_admin", True), ("sponsor", True), ("manager", False)):
        page = client_for(getattr(personas, persona)).get(reverse("dashboard"))
        assert (_url(personas) in page.content.decode()) is linked, persona


def test_a_small_programme_hides_its_count_and_no_subtraction_reveals_it(
    personas: Any,
) -> None:
    small = _programme(personas, "Small", taking_part=3)
    large = _programme(personas, "Large", taking_part=7)
    view = outcomes([small, large])
    # 3 is under the threshold; showing 7 with the total of 10 would give it away.
    assert [row.taking_part for row in view.rows] == [None, None]
    assert view.taking_part == 10


def test_counts_of_large_enough_programmes_are_shown(personas: Any) -> None:
    view = outcomes(
        [_programme(personas, "A", taking_part=6), _programme(personas, "B", taking_part=8)]
    )
    assert ([row.taking_part for row in view.rows], view.taking_part) == ([6, 8], 14)


def test_each_programme_adds_the_same_number_of_queries(client_for: Any, personas: Any) -> None:
    client = client_for(personas.org_admin)
    client.get(_url(personas))  # the first request also starts the session
    counts = []
    for n in range(1, 4):
        _programme(personas, f"Cohort {n}", taking_part=5)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url(personas)).status_code == 200
        counts.append(len(captured))
    # A constant per programme: the report each row is read from, never a query per person.
    assert counts[2] - counts[1] == counts[1] - counts[0]
