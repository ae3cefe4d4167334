"""The directory exports never carry a live formula, and still import back unchanged."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from mentora.people.models import ImportRun, Person
from mentora.people.tests.test_importer import as_csv, row

HOSTILE = {
    "H1": {"first_name": '=HYPERLINK("http://evil","x")', "last_name": "+1+1"},
    "H2": {"first_name": "-2+3", "last_name": "@SUM(A1)", "job_title": "-1"},
    "H3": {"first_name": "Ann", "last_name": "Berg", "job_title": "=1+1", "timezone": "+05:30"},
}
# A leading tab or carriage return never reaches a person: the import strips every value.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile_people(client_for: Any, personas: Any) -> Any:
    """People with formula-like names, put in the normal way: an HR upload, then apply."""
    client = client_for(personas.org_admin)
    rows = [row(employee_id, **values) for employee_id, values in HOSTILE.items()]
    client.post(
        reverse("people_import", args=["acme"]),
        {"file": SimpleUploadedFile("hr.csv", as_csv(rows), content_type="text/csv")},
    )
    run = ImportRun.objects.get()
    client.post(reverse("people_import_apply", args=["acme", run.pk]))
    assert Person.objects.get(employee_id="H1").first_name == HOSTILE["H1"]["first_name"]
    return client


def _hostile_values() -> set[str]:
    return {value for values in HOSTILE.values() for value in values.values() if value[0] in "=+-@"}


def test_the_csv_export_quotes_every_formula(hostile_people: Any) -> None:
    response = hostile_people.get(reverse("people_export", args=["acme", "csv"]))
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    cells = [cell for r in rows for cell in r]
    assert not [cell for cell in cells if cell.startswith(DANGEROUS)]
    for value in _hostile_values():
        assert "'" + value in cells
    level = rows[0].index("level")
    assert {r[level] for r in rows[1:] if r[0] in HOSTILE} == {"3"}


def test_the_xlsx_export_holds_formulas_as_quoted_text_and_numbers_as_numbers(
    hostile_people: Any,
) -> None:
    response = hostile_people.get(reverse("people_export", args=["acme", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content))["people"]
    cells = [cell for r in sheet.iter_rows() for cell in r if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    strings = {cell.value for cell in cells if cell.data_type == "s"}
    assert not [value for value in strings if value.startswith(DANGEROUS)]
    for value in _hostile_values():
        assert "'" + value in strings
    header = [cell.value for cell in sheet[1]]
    levels = [r[header.index("level")] for r in sheet.iter_rows(min_row=2) if r[0].value in HOSTILE]
    assert [(c.data_type, c.value) for c in levels] == [("n", 3)] * 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_quoted_export_imports_back_unchanged(hostile_people: Any, fmt: str) -> None:
    from mentora.accounts.models import Membership
    from mentora.people import services

    # Trusted with gender, so the export holds every column an import compares.
    Membership.objects.filter(user__email="orgadmin@test.example").update(
        sees_sensitive_attributes=True
    )
    response = hostile_people.get(reverse("people_export", args=["acme", fmt]))
    data = b"".join(response.streaming_content) if fmt == "csv" else response.content
    personas_org = Person.objects.get(employee_id="H1").organisation
    run = services.import_upload(
        organisation=personas_org,
        uploaded=SimpleUploadedFile(f"again.{fmt}", data),
        full=False,
        mapping={},
        actor=None,
    )
    assert run.problem_count == 0, run.problems
    assert run.counts["unchanged"] == Person.objects.count()
