"""Sorting the pipeline's participants, with its filters and the bulk checkboxes kept."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from mentora.programmes.models import ParticipantStatus
from mentora.programmes.tests.conftest import applicant

S = ParticipantStatus


def _url(name: str, setup: Any) -> str:
    return reverse(name, args=[setup.programme.pk])


# Sorting the pipeline, with its filters and checkboxes ---------------------------------------


def _pipeline_order(client: Any, setup: Any, params: dict[str, str]) -> list[str]:
    html = client.get(_url("programme_pipeline", setup), params).content.decode()
    table = html.split("<tbody>")[1]
    names = [f"Bea{n} Bulk{n}" for n in range(1, 5)]
    return sorted((name for name in names if name in table), key=table.index)


def test_the_pipeline_sorts_by_name_status_role_and_applied_date(
    client_for: Any, setup: Any
) -> None:
    applicant(setup, 3, S.APPROVED)
    applicant(setup, 1, S.INVITED)
    applicant(setup, 4)
    applicant(setup, 2, S.UNDER_REVIEW)
    client = client_for(setup.personas.manager)
    assert _pipeline_order(client, setup, {}) == [
        "Bea1 Bulk1",
        "Bea2 Bulk2",
        "Bea3 Bulk3",
        "Bea4 Bulk4",
    ]
    # Statuses in the pipeline's order.
    assert _pipeline_order(client, setup, {"sort": "status"}) == [
        "Bea1 Bulk1",
        "Bea4 Bulk4",
        "Bea2 Bulk2",
        "Bea3 Bulk3",
    ]
    # The first to apply first; who has not applied comes last, either way.
    assert _pipeline_order(client, setup, {"sort": "applied"}) == [
        "Bea3 Bulk3",
        "Bea4 Bulk4",
        "Bea2 Bulk2",
        "Bea1 Bulk1",
    ]
    assert _pipeline_order(client, setup, {"sort": "applied", "dir": "desc"}) == [
        "Bea2 Bulk2",
        "Bea4 Bulk4",
        "Bea3 Bulk3",
        "Bea1 Bulk1",
    ]
    assert _pipeline_order(client, setup, {"sort": "role", "dir": "desc"}) == [
        "Bea4 Bulk4",
        "Bea3 Bulk3",
        "Bea2 Bulk2",
        "Bea1 Bulk1",
    ]
    # A forged key is ignored.
    assert _pipeline_order(client, setup, {"sort": "person__email", "dir": "up"}) == [
        "Bea1 Bulk1",
        "Bea2 Bulk2",
        "Bea3 Bulk3",
        "Bea4 Bulk4",
    ]


def test_sorting_the_pipeline_keeps_its_filters_and_checkboxes(client_for: Any, setup: Any) -> None:
    one, two = applicant(setup, 1), applicant(setup, 2)
    applicant(setup, 3, S.APPROVED)
    client = client_for(setup.personas.manager)
    params = {"status": S.APPLIED, "sort": "name", "dir": "desc"}
    assert _pipeline_order(client, setup, params) == ["Bea2 Bulk2", "Bea1 Bulk1"]
    html = client.get(_url("programme_pipeline", setup), params).content.decode()
    assert '<input type="hidden" name="sort" value="name">' in html
    assert "status=applied" in html.split("<thead>")[1].split("</thead>")[0]
    for participant in (one, two):
        assert f'name="ids" value="{participant.pk}" id="bulk-{participant.pk}"' in html
