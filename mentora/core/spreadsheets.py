"""Every CSV and XLSX file Mentora writes goes through here.

Names, job titles and programme names are typed by people, and a spreadsheet program
runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return
before one) as a formula: ``=HYPERLINK(...)`` in a job title becomes a live link in the
HR manager's export. Following OWASP's advice on CSV injection, such a string gets a
leading single quote, which every spreadsheet program shows as text, and an XLSX cell
holds it as a string, never as a formula. Numbers stay numbers (a negative number is not
a formula); only strings are changed.

Django-free on purpose: the matching command line writes its CSV through it too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# The first characters that make a spreadsheet program read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: Any) -> Any:
    """The value as a cell no spreadsheet program runs as a formula.

    A string that begins with a formula character gets a leading single quote; so does one
    whose quotes already stand before such a character, so that `restore` gives every
    string back exactly. Anything that is not a string is returned unchanged.
    """
    if isinstance(value, str) and value.lstrip(QUOTE).startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def restore(value: str) -> str:
    """Undo `neutralise` on a cell read back from a file, so an export imports unchanged."""
    if value.startswith(QUOTE) and value.lstrip(QUOTE).startswith(FORMULA_STARTS):
        return value[1:]
    return value


# --- CSV -------------------------------------------------------------------


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class CsvWriter:
    """`csv.writer`'s interface, with every string cell neutralised."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: _Writable, **options: Any) -> CsvWriter:
    """A CSV writer on `stream`; `options` are the `csv` module's (delimiter, lineterminator)."""
    return CsvWriter(stream, **options)


def csv_lines(rows: Iterable[Iterable[Any]], **options: Any) -> Iterator[str]:
    """Each row as its line of CSV text, one at a time, for a streaming download."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer, **options)
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()


# --- XLSX ------------------------------------------------------------------


def _neutralise_cell(cell: Any) -> None:
    value = cell.value
    if cell.data_type == "f" and not isinstance(value, str):
        # An array or data-table formula object: its text, kept as text.
        value = str(getattr(value, "text", value))
    neutral = neutralise(value)
    if neutral is not cell.value:
        cell.value = neutral


class _NeutralWriteOnlyWorksheet(WriteOnlyWorksheet):
    """A streamed sheet: rows cannot be read back once written, so each is made safe as it
    is appended."""

    def append(self, row: Iterable[Any]) -> None:
        values = []
        for value in row:
            if isinstance(value, Cell):
                _neutralise_cell(value)
                values.append(value)
            else:
                values.append(neutralise(value))
        super().append(values)


class SafeWorkbook(Workbook):
    """An openpyxl workbook that never holds a formula.

    A normal workbook is made safe when it is saved, whichever way its cells were set
    (`append`, `cell()`, `sheet["A1"] = ...`); a write-only workbook, whose rows are streamed
    out as they come, as each row is appended.
    """

    def create_sheet(self, title: str | None = None, index: int | None = None) -> Any:
        if not self.write_only:
            return super().create_sheet(title, index)
        sheet = _NeutralWriteOnlyWorksheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet

    def save(self, filename: Any) -> None:
        if not self.write_only:
            for sheet in self.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if cell.value is not None:
                            _neutralise_cell(cell)
        super().save(filename)


def new_workbook(*, write_only: bool = False) -> SafeWorkbook:
    """A new XLSX workbook for an export; `write_only` streams large sheets row by row."""
    return SafeWorkbook(write_only=write_only)


def xlsx_bytes(workbook: Workbook) -> bytes:
    """The saved workbook's bytes, for a download."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
