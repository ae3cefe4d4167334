"""The HR import: every validation rule, atomicity, idempotency, full exports, mappings."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from conftest import make_person
from mentora.accounts.models import Organisation
from mentora.core.models import AuditEntry
from mentora.people.importer.files import ImportFileError
from mentora.people.importer.plan import apply_plan, plan_import
from mentora.people.importer.rows import COLUMNS
from mentora.people.models import OrgUnit, Person

pytestmark = pytest.mark.django_db


def row(employee_id: str, manager: str = "", **values: str) -> dict[str, str]:
    base = {
        "employee_id": employee_id,
        "first_name": f"First{employee_id}",
        "last_name": f"Last{employee_id}",
        "email": f"{employee_id.lower()}@corp.example",
        "manager_employee_id": manager,
        "division": "Tech",
        "department": "Software",
        "team": "Apps",
        "job_title": "Engineer",
        "level": "3",
        "location": "Aarhus",
        "timezone": "Europe/Copenhagen",
        "languages": "da;en",
        "hire_date": "2020-01-15",
        "leave_date": "",
        "gender": "",
    }
    base.update(values)
    return base


def as_csv(rows: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or list(COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def org() -> Organisation:
    return Organisation.objects.create(name="Corp", slug="corp")


def plan(org: Organisation, rows: list[dict[str, str]], **kwargs: Any) -> Any:
    return plan_import(organisation=org, name="hr.csv", stream=io.BytesIO(as_csv(rows)), **kwargs)


def problems(org: Organisation, rows: list[dict[str, str]]) -> list[tuple[int, str, str, str]]:
    return [(p.row, p.column, p.value, p.reason) for p in plan(org, rows).problems]


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        Person.objects.values_list(
            "employee_id", "first_name", "manager__employee_id", "org_unit__name", "leave_date"
        )
    )


def test_a_clean_file_creates_people_units_and_reporting_lines(org: Organisation) -> None:
    result = plan(org, [row("1"), row("2", "1"), row("3", "2", team="Data")])
    assert result.ok
    assert result.counts()["created"] == 3 and result.new_units == 4
    apply_plan(result)
    three = Person.objects.get(employee_id="3")
    assert [m.employee_id for m in three.management_chain()] == ["2", "1"]
    assert three.org_unit.name == "Data" and three.org_unit.parent.name == "Software"
    assert three.languages == ["da", "en"] and three.hire_date == dt.date(2020, 1, 15)
    assert set(OrgUnit.objects.values_list("kind", flat=True)) == {"division", "department", "team"}


def test_it_names_an_unknown_manager_with_row_column_and_value(org: Organisation) -> None:
    [(number, column, value, reason)] = problems(org, [row("1"), row("2", "99")])
    assert (number, column, value) == (3, "manager_employee_id", "99")
    assert "Unknown manager" in reason


def test_it_traces_a_reporting_cycle_through_the_rows(org: Organisation) -> None:
    found = problems(org, [row("1"), row("2", "3"), row("3", "2")])
    assert len(found) == 1
    assert "rows 3 -> 4 -> 3" in found[0][3]


def test_a_cycle_through_people_already_in_mentora_is_caught(org: Organisation) -> None:
    apply_plan(plan(org, [row("1"), row("2", "1")]))
    # Re-pointing 1 under 2 would close the loop 1 -> 2 -> 1.
    found = problems(org, [row("1", "2")])
    assert len(found) == 1 and "loop" in found[0][3]


def test_it_rejects_someone_managing_themselves(org: Organisation) -> None:
    [(_, column, _, reason)] = problems(org, [row("1", "1")])
    assert column == "manager_employee_id" and "own manager" in reason


def test_it_rejects_a_duplicate_employee_id(org: Organisation) -> None:
    [(number, column, value, reason)] = problems(org, [row("1"), row("2"), row("1")])
    assert (number, column, value) == (4, "employee_id", "1")
    assert "also on row 2" in reason


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("hire_date", "31/02/2020", "Not a date"),
        ("hire_date", "yesterday", "Not a date"),
        ("timezone", "Mars/Olympus", "time zone"),
        ("email", "not-an-address", "e-mail"),
        ("level", "senior", "whole number"),
        ("level", "-1", "whole number"),
        ("languages", "Danish", "codes"),
        ("first_name", "", "required"),
        ("employee_id", "", "required"),
        ("first_name", "x" * 101, "Longer than 100"),
    ],
)
def test_it_reports_each_bad_value_plainly(
    org: Organisation, column: str, value: str, fragment: str
) -> None:
    bad = row("1")
    bad[column] = value
    found = problems(org, [bad])
    assert [(c, v) for _, c, v, _ in found] == [(column, value)]
    assert fragment in found[0][3]


def test_it_rejects_a_leave_date_before_the_hire_date(org: Organisation) -> None:
    [(_, column, _, reason)] = problems(
        org, [row("1", hire_date="2024-01-01", leave_date="2023-01-01")]
    )
    assert column == "leave_date" and "before the hire date" in reason


def test_it_accepts_common_date_formats_and_utc_offsets(org: Organisation) -> None:
    result = plan(
        org,
        [
            row("1", hire_date="15.01.2020", timezone="+05:30"),
            row("2", hire_date="15/01/2020", timezone="UTC"),
        ],
    )
    assert result.ok
    assert {r.values["hire_date"] for r in result.rows} == {dt.date(2020, 1, 15)}


def test_it_names_a_missing_required_column(org: Organisation) -> None:
    data = as_csv([row("1")], columns=["employee_id", "first_name"])
    result = plan_import(organisation=org, name="hr.csv", stream=io.BytesIO(data))
    assert [(p.row, p.column) for p in result.problems] == [(1, "last_name")]


def test_it_refuses_a_file_that_is_neither_csv_nor_xlsx(org: Organisation) -> None:
    with pytest.raises(ImportFileError):
        plan_import(organisation=org, name="hr.pdf", stream=io.BytesIO(b"%PDF"))


def test_a_bad_row_in_the_middle_of_a_large_file_changes_nothing(org: Organisation) -> None:
    apply_plan(plan(org, [row("1")]))
    before = snapshot()
    rows = [row("1")] + [row(str(n), "1") for n in range(2, 3001)]
    rows[1500]["hire_date"] = "not a date"
    result = plan(org, rows)
    assert [p.row for p in result.problems] == [1502]
    with pytest.raises(ValidationError):
        apply_plan(result)
    assert snapshot() == before


def test_a_failure_while_writing_rolls_everything_back(org: Organisation, monkeypatch: Any) -> None:
    apply_plan(plan(org, [row("1"), row("2", "1")]))
    before = snapshot()
    result = plan(org, [row("1", first_name="Changed"), row("2", "1"), row("3", "2")])

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    # New people are written first; the failure comes after them, on the update.
    monkeypatch.setattr(Person.objects, "bulk_update", fail)
    with pytest.raises(RuntimeError):
        apply_plan(result)
    assert snapshot() == before


def test_importing_the_same_file_again_changes_nothing(org: Organisation) -> None:
    rows = [row("1"), row("2", "1"), row("3", "1", team="Data", gender="female")]
    apply_plan(plan(org, rows))
    before = snapshot()
    again = plan(org, rows)
    assert again.counts()["created"] == 0 and again.counts()["updated"] == 0
    assert again.unchanged == 3
    apply_plan(again)
    assert snapshot() == before


def test_a_changed_row_updates_only_that_person(org: Organisation) -> None:
    apply_plan(plan(org, [row("1"), row("2", "1"), row("3", "1")]))
    result = plan(org, [row("1"), row("2", "1", job_title="Lead"), row("3", "2")])
    assert result.to_update == {"2": ["job_title"], "3": ["manager"]}
    apply_plan(result)
    assert Person.objects.get(employee_id="3").manager.employee_id == "2"


def test_a_full_export_marks_absent_people_as_left_and_never_deletes(org: Organisation) -> None:
    apply_plan(plan(org, [row("1"), row("2", "1"), row("3", "1")]))
    result = plan(org, [row("1"), row("2", "1")], full=True)
    assert result.to_mark_left == ["3"]
    apply_plan(result)
    gone = Person.objects.get(employee_id="3")
    assert gone.leave_date == timezone.localdate()
    assert Person.objects.count() == 3
    assert plan(org, [row("1"), row("2", "1")], full=True).to_mark_left == []


def test_without_full_absent_people_are_left_alone(org: Organisation) -> None:
    apply_plan(plan(org, [row("1"), row("2", "1")]))
    result = plan(org, [row("1")])
    assert result.to_mark_left == []


def test_other_column_names_are_mapped(org: Organisation) -> None:
    data = b"Personnummer;Fornavn;Efternavn;Leder\nA1;Anna;Jensen;\nA2;Bo;Hansen;A1\n"
    mapping = {
        "Personnummer": "employee_id",
        "Fornavn": "first_name",
        "Efternavn": "last_name",
        "Leder": "manager_employee_id",
    }
    result = plan_import(organisation=org, name="hr.csv", stream=io.BytesIO(data), mapping=mapping)
    assert result.ok
    apply_plan(result)
    assert Person.objects.get(employee_id="A2").manager.first_name == "Anna"


def test_an_external_manager_needs_the_organisation_to_allow_it(org: Organisation) -> None:
    group = Organisation.objects.create(name="Group", slug="group")
    make_person(group, "G1", "G", "H")
    rows = [row("1", "group:G1")]
    assert "does not allow" in problems(org, rows)[0][3]
    org.allow_external_managers = True
    org.save()
    result = plan(org, rows)
    assert result.ok
    apply_plan(result)
    assert Person.objects.get(organisation=org, employee_id="1").manager.organisation == group


def test_an_xlsx_export_imports_like_a_csv(org: Organisation) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for r in [row("1"), row("2", "1")]:
        values: list[Any] = [r[c] for c in COLUMNS]
        values[COLUMNS.index("hire_date")] = dt.datetime(2020, 1, 15)
        values[COLUMNS.index("level")] = 3
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    result = plan_import(organisation=org, name="hr.xlsx", stream=buffer)
    assert result.ok, result.problems
    apply_plan(result)
    assert Person.objects.get(employee_id="2").level == 3


def test_what_is_exported_imports_back_unchanged(org: Organisation) -> None:
    from mentora.people.importer.plan import export_rows

    apply_plan(plan(org, [row("1"), row("2", "1", gender="male"), row("3", "2", team="")]))
    exported = list(export_rows(org, include_sensitive=True))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(exported)
    again = plan_import(
        organisation=org, name="x.csv", stream=io.BytesIO(buffer.getvalue().encode())
    )
    assert again.ok and again.unchanged == 3


def test_the_command_imports_reports_progress_and_audits(
    org: Organisation, tmp_path: Any, capsys: Any
) -> None:
    path = tmp_path / "hr.csv"
    path.write_bytes(as_csv([row("1"), row("2", "1")]))
    call_command("import_people", str(path), organisation="corp")
    out, err = capsys.readouterr()
    assert "2 to create" in out and "Imported" in out
    assert "[" in err and "100%" in err
    entry = AuditEntry.objects.get(action="people.import.apply")
    assert entry.changes["file"] == "hr.csv" and entry.changes["counts"]["created"] == 2


def test_the_command_dry_run_writes_nothing(org: Organisation, tmp_path: Any) -> None:
    path = tmp_path / "hr.csv"
    path.write_bytes(as_csv([row("1")]))
    call_command("import_people", str(path), organisation="corp", dry_run=True, no_progress=True)
    assert not Person.objects.exists()


def test_the_command_lists_problems_and_imports_nothing(
    org: Organisation, tmp_path: Any, capsys: Any
) -> None:
    path = tmp_path / "hr.csv"
    path.write_bytes(as_csv([row("1"), row("2", "77")]))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_people", str(path), organisation="corp", no_progress=True)
    assert "row 3, column manager_employee_id, value '77'" in capsys.readouterr().err
    assert not Person.objects.exists()


def test_the_command_saves_a_mapping_for_next_time(org: Organisation, tmp_path: Any) -> None:
    path = tmp_path / "hr.csv"
    path.write_bytes(b"ID,First,Last\nA1,Anna,Jensen\n")
    call_command(
        "import_people",
        str(path),
        organisation="corp",
        no_progress=True,
        map=["ID=employee_id", "First=first_name", "Last=last_name"],
    )
    path.write_bytes(b"ID,First,Last\nA1,Anna,Jensen\nA2,Bo,Berg\n")
    call_command("import_people", str(path), organisation="corp", no_progress=True)
    assert Person.objects.count() == 2


def test_the_command_refuses_a_bad_mapping(org: Organisation, tmp_path: Any) -> None:
    path = tmp_path / "hr.csv"
    path.write_bytes(as_csv([row("1")]))
    with pytest.raises(CommandError, match="not a Mentora column"):
        call_command("import_people", str(path), organisation="corp", map=["ID=nonsense"])
