"""The one writer of CSV and XLSX files: formulas never survive it, numbers stay numbers, and
nothing in Mentora writes a spreadsheet any other way."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from mentora.core.spreadsheets import (
    csv_lines,
    csv_writer,
    neutralise,
    new_workbook,
    restore,
    xlsx_bytes,
)

HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
MENTORA = Path(__file__).resolve().parents[2]
WRITER_MODULE = MENTORA / "core" / "spreadsheets.py"


def test_each_dangerous_string_gets_a_leading_quote() -> None:
    for value in HOSTILE:
        assert neutralise(value) == "'" + value


def test_harmless_strings_and_numbers_are_left_alone() -> None:
    for value in ["Jensen", "", "a=b", "O'Brien", "'quoted'", -2, -2.5, 0, None, 3.0]:
        assert neutralise(value) is value


@given(st.text())
def test_restore_gives_back_every_string_and_no_result_starts_a_formula(value: str) -> None:
    neutral = neutralise(value)
    assert restore(neutral) == value
    assert not neutral.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_the_csv_writer_quotes_formulas_and_keeps_numbers() -> None:
    buffer = io.StringIO()
    csv_writer(buffer).writerows([[*HOSTILE, -2, -2.5]])
    (row,) = csv.reader(io.StringIO(buffer.getvalue()))
    assert row == ["'" + value for value in HOSTILE] + ["-2", "-2.5"]


def test_csv_lines_are_the_same_text_one_row_at_a_time() -> None:
    rows = [["name", "title"], ["=1+1", "-2+3"], ["Ann", -4]]
    buffer = io.StringIO()
    csv_writer(buffer).writerows(rows)
    assert "".join(csv_lines(rows)) == buffer.getvalue()


def _cells(data: bytes) -> list[tuple[str, object]]:
    workbook = load_workbook(io.BytesIO(data))
    return [
        (cell.data_type, cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def test_no_way_of_setting_a_cell_leaves_a_formula_in_a_workbook() -> None:
    workbook = new_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([HOSTILE[0], -2, -2.5])
    sheet.cell(row=2, column=1, value=HOSTILE[1])
    sheet["B2"] = HOSTILE[2]
    other = workbook.create_sheet("other")
    other["A1"] = "=SUM(1,2)"
    other["A1"].value = HOSTILE[3]
    cells = _cells(xlsx_bytes(workbook))
    assert ("s", "'" + HOSTILE[0]) in cells
    assert ("n", -2) in cells and ("n", -2.5) in cells
    assert {("s", "'" + v) for v in HOSTILE[1:4]} <= set(cells)
    assert all(data_type != "f" for data_type, _value in cells)


def test_a_streamed_workbook_quotes_formulas_as_rows_are_appended() -> None:
    from openpyxl.cell import WriteOnlyCell

    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet("people")
    sheet.append(HOSTILE)
    styled = WriteOnlyCell(sheet, value="=1+1")
    sheet.append(value for value in [styled, -7])
    cells = _cells(xlsx_bytes(workbook))
    # XML reads a carriage return back as a line feed; the quote before it is what counts.
    expected = [("s", "'" + v.replace("\r", "\n")) for v in HOSTILE]
    assert cells == [*expected, ("s", "'=1+1"), ("n", -7)]


# --- the guard ---------------------------------------------------------------


def direct_spreadsheet_writes(source: str) -> list[str]:
    """Every place in `source` that writes CSV or XLSX without the shared writer."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {alias.name for alias in node.names}
            if node.module == "csv" and names & {"writer", "DictWriter"}:
                found.append(f"line {node.lineno}: from csv import {', '.join(sorted(names))}")
            if node.module.startswith("openpyxl") and "Workbook" in names:
                found.append(f"line {node.lineno}: from {node.module} import Workbook")
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"writer", "DictWriter"} and isinstance(func, ast.Attribute):
                if isinstance(func.value, ast.Name) and func.value.id == "csv":
                    found.append(f"line {node.lineno}: csv.{name}(...)")
            if name == "Workbook":
                found.append(f"line {node.lineno}: Workbook(...)")
    return found


def test_the_guard_catches_each_way_of_writing_a_spreadsheet_directly() -> None:
    assert len(direct_spreadsheet_writes("import csv\ncsv.writer(out)\n")) == 1
    assert len(direct_spreadsheet_writes("import csv\ncsv.DictWriter(out, [])\n")) == 1
    assert len(direct_spreadsheet_writes("from csv import writer\n")) == 1
    assert len(direct_spreadsheet_writes("from openpyxl import Workbook\nWorkbook()\n")) == 2
    assert len(direct_spreadsheet_writes("import openpyxl\nopenpyxl.Workbook()\n")) == 1
    assert direct_spreadsheet_writes("import csv\ncsv.reader(f)\nload_workbook(f)\n") == []


def test_every_module_writes_spreadsheets_through_the_shared_writer() -> None:
    offenders = []
    for path in sorted(MENTORA.rglob("*.py")):
        if "tests" in path.relative_to(MENTORA).parts or path == WRITER_MODULE:
            continue
        for place in direct_spreadsheet_writes(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(MENTORA.parent)}, {place}")
    assert offenders == [], "use mentora.core.spreadsheets instead:\n" + "\n".join(offenders)
