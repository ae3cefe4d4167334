"""Reading an HR file (CSV or XLSX) as a header and rows, within the size and row limits,
refusing whatever cannot be read with a clear reason."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from mentora.core.spreadsheets import restore

# An XLSX file is a zip of XML; real exports unpack to a few times their size, so ten
# times the upload limit is room enough and still bounds what the parser must hold.
UNPACKED_FACTOR = 10


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header...)."""


def check_size(size: int) -> None:
    """Refuse a file over the size limit (`PEOPLE_IMPORT_MAX_MB`), naming the limit."""
    limit = settings.PEOPLE_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("The file is %(size)s; files of up to %(limit)s can be imported.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def _size(stream: IO[bytes]) -> int:
    start = stream.tell()
    stream.seek(0, io.SEEK_END)
    end = stream.tell()
    stream.seek(start)
    return end - start


def read_table(name: str, stream: IO[bytes]) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the data rows of a CSV or XLSX file, as strings.

    Whatever is wrong with the file as a whole, from its size to a parser that gives up
    halfway through, is raised as an ImportFileError that says what to do.
    """
    is_xlsx = name.lower().endswith((".xlsx", ".xlsm"))
    if not is_xlsx and not name.lower().endswith((".csv", ".txt")):
        raise ImportFileError(_("Upload a CSV or XLSX file (got %(name)s).") % {"name": name})
    size = _size(stream)
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    check_size(size)
    return _read_xlsx(stream) if is_xlsx else _read_csv(stream)


def _read_csv(stream: IO[bytes]) -> tuple[list[str], Iterator[list[str]]]:
    raw = stream.read()
    if b"\x00" in raw:
        # Text never holds NUL bytes; UTF-16 without a byte-order mark and binary files do.
        raise ImportFileError(
            _(
                "The file is not CSV text: it holds NUL bytes, as UTF-16 and binary files do. "
                "Save it as CSV UTF-8 and upload it again."
            )
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(
            _(
                "The file's characters cannot be read: it is neither UTF-8 nor Windows-1252 "
                "text. Save it as CSV UTF-8 and upload it again."
            )
        )
    sample = text[:4096]
    # Danish spreadsheet exports use semicolons; sniff rather than guess.
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = _csv_rows(reader)
    try:
        header = next(rows)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    return [h.strip() for h in header], rows


def _csv_rows(reader: Any) -> Iterator[list[str]]:
    try:
        for row in reader:
            # A cell Mentora's own export quoted so that it never runs as a formula.
            yield [restore(cell) for cell in row]
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s cannot be read as CSV (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return restore(value)
    return str(value)


def _not_xlsx() -> ImportFileError:
    return ImportFileError(
        _(
            "The file is not an XLSX workbook. Save it from your spreadsheet program as "
            "Excel workbook (.xlsx) or as CSV UTF-8, and upload it again."
        )
    )


def _xml_entities() -> ImportFileError:
    return ImportFileError(
        _(
            "The workbook declares XML entities, which Mentora never reads because they can be "
            "used to attack the server. Save it again from your spreadsheet program."
        )
    )


def _unreadable(error: BaseException) -> ImportFileError:
    from defusedxml import DefusedXmlException

    # openpyxl wraps what its XML parser raised in an error of its own, which names the
    # server's copy of the file; the innermost error says what is actually wrong.
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return _xml_entities()
        error = cause
        cause = cause.__cause__ or cause.__context__
    return ImportFileError(
        _("The file could not be read as XLSX: %(error)s")
        % {"error": str(error) or type(error).__name__}
    )


def _read_xlsx(stream: IO[bytes]) -> tuple[list[str], Iterator[list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if not zipfile.is_zipfile(stream):
        raise _not_xlsx()
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _unreadable(error) from None
    if "[Content_Types].xml" not in {member.filename for member in members}:
        raise _not_xlsx()
    # The shared strings are read whole: a small file that unpacks to gigabytes (a zip
    # bomb) must be refused before openpyxl starts.
    unpacked = sum(member.file_size for member in members)
    if unpacked > UNPACKED_FACTOR * settings.PEOPLE_IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The workbook unpacks to %(size)s; Mentora reads workbooks of up to %(limit)s.")
            % {
                "size": filesizeformat(unpacked),
                "limit": filesizeformat(UNPACKED_FACTOR * settings.PEOPLE_IMPORT_MAX_BYTES),
            }
        )
    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise _unreadable(error) from None
    sheet = workbook.active
    if not isinstance(sheet, ReadOnlyWorksheet):
        raise ImportFileError(_("The workbook has no sheet of rows to read."))
    rows = _xlsx_rows(sheet.iter_rows(values_only=True))
    try:
        header = [h.strip() for h in next(rows)]
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    return header, rows


def _xlsx_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[str]]:
    """The sheet's rows as strings; a sheet is parsed as it is read, so a broken or hostile
    one fails here, halfway through, and must fail as clearly as at the start."""
    try:
        for row in rows:
            yield [_cell(v) for v in row]
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise _unreadable(error) from None


def open_file(path: Path) -> IO[bytes]:
    return path.open("rb")
