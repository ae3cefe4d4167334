"""Reading, checking and applying an HR export of people.

Two steps, like the user sees them: `plan_import` reads and checks the whole file
and works out what would change (nothing is written); `apply_plan` writes it in
one transaction, so a file is either entirely in or not at all. The same code
serves the web upload, the background task, `manage.py import_people` and the
demo data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from mentora.accounts.models import Organisation
from mentora.core.forms import parse_whole_number
from mentora.core.spreadsheets import restore
from mentora.people.models import OrgUnit, OrgUnitKind, Person

COLUMNS = (
    "employee_id",
    "first_name",
    "last_name",
    "email",
    "manager_employee_id",
    "division",
    "department",
    "team",
    "job_title",
    "level",
    "location",
    "timezone",
    "languages",
    "hire_date",
    "leave_date",
    "gender",
)
REQUIRED = ("employee_id", "first_name", "last_name")
UNIT_COLUMNS = ("division", "department", "team")
UNIT_KINDS = {
    "division": OrgUnitKind.DIVISION,
    "department": OrgUnitKind.DEPARTMENT,
    "team": OrgUnitKind.TEAM,
}
# Person fields an import sets, compared one by one to find what changed.
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "job_title",
    "level",
    "location",
    "timezone",
    "languages",
    "hire_date",
    "leave_date",
    "gender",
)
MAX_LENGTHS = {
    "employee_id": 64,
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "job_title": 200,
    "location": 120,
    "gender": 40,
    "division": 200,
    "department": 200,
    "team": 200,
}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")
OFFSET_RE = re.compile(r"^UTC$|^[+-](0\d|1[0-4]):[0-5]\d$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
# An XLSX file is a zip of XML; real exports unpack to a few times their size, so ten
# times the upload limit is room enough and still bounds what the parser must hold.
UNPACKED_FACTOR = 10

Progress = Callable[[str, float], None]


def _no_progress(stage: str, fraction: float) -> None:
    pass


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header...)."""


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class ParsedRow:
    row: int
    employee_id: str
    values: dict[str, Any]
    manager_ref: str
    unit_path: tuple[tuple[str, str], ...]


@dataclass
class ImportPlan:
    organisation: Organisation
    full: bool
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    to_create: list[ParsedRow] = field(default_factory=list)
    # employee id -> the fields that change (manager and unit included)
    to_update: dict[str, list[str]] = field(default_factory=dict)
    to_mark_left: list[str] = field(default_factory=list)
    unchanged: int = 0
    new_units: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "created": len(self.to_create),
            "updated": len(self.to_update),
            "marked_left": len(self.to_mark_left),
            "unchanged": self.unchanged,
            "new_units": self.new_units,
            "problems": len(self.problems),
        }


# --- reading ---------------------------------------------------------------


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


# --- checking --------------------------------------------------------------


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _parse_date(text: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """`SOURCE=TARGET` strings to a mapping; raises ValidationError naming the bad one."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        pair = pair.strip()
        if not pair:
            continue
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise ValidationError(
                _("A column mapping is written SOURCE=TARGET, got %(pair)s.") % {"pair": pair}
            )
        if target.strip() not in COLUMNS:
            raise ValidationError(
                _("%(target)s is not a Mentora column. The columns are: %(columns)s.")
                % {"target": target.strip(), "columns": ", ".join(COLUMNS)}
            )
        mapping[source.strip()] = target.strip()
    return mapping


def _columns(header: list[str], mapping: dict[str, str]) -> tuple[dict[str, int], list[Problem]]:
    problems = []
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        target = mapping.get(name, name)
        if target not in COLUMNS:
            continue  # Extra columns in an HR export are normal; they are ignored.
        if target in positions:
            problems.append(
                Problem(1, name, name, _("Two columns map to %(column)s.") % {"column": target})
            )
        positions[target] = index
    for required in REQUIRED:
        if required not in positions:
            problems.append(
                Problem(
                    1,
                    required,
                    "",
                    _("The required column %(column)s is missing.") % {"column": required},
                )
            )
    return positions, problems


def _check_row(
    number: int, cells: list[str], positions: dict[str, int], problems: list[Problem]
) -> ParsedRow | None:
    raw = {
        name: (cells[index].strip() if index < len(cells) else "")
        for name, index in positions.items()
    }

    def problem(column: str, reason: str) -> None:
        problems.append(Problem(number, column, raw.get(column, ""), reason))

    for name, limit in MAX_LENGTHS.items():
        if len(raw.get(name, "")) > limit:
            problem(name, _("Longer than %(limit)s characters.") % {"limit": limit})
    for name in REQUIRED:
        if not raw.get(name):
            problem(name, _("This value is required."))
    values: dict[str, Any] = {
        name: raw.get(name, "")
        for name in ("first_name", "last_name", "job_title", "location", "gender")
    }
    email = raw.get("email", "").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problem("email", _("Not a valid e-mail address."))
    values["email"] = email
    level_text = raw.get("level", "")
    values["level"] = None
    if level_text:
        level = parse_whole_number(level_text, minimum=0, maximum=32767)
        if level is not None:
            values["level"] = level
        else:
            problem("level", _("The level must be a whole number of 0 or more."))
    tz = raw.get("timezone", "")
    if tz and tz not in _time_zones() and not OFFSET_RE.match(tz):
        problem("timezone", _("Not a known time zone (use a name such as Europe/Copenhagen)."))
    values["timezone"] = tz
    languages = [code.strip() for code in raw.get("languages", "").split(";") if code.strip()]
    bad = [code for code in languages if not LANGUAGE_RE.match(code)]
    if bad:
        problem("languages", _("Languages are codes such as da;en separated by semicolons."))
    values["languages"] = languages
    for name in ("hire_date", "leave_date"):
        text = raw.get(name, "")
        values[name] = None
        if text:
            parsed = _parse_date(text)
            if parsed is None:
                problem(name, _("Not a date; write it as YYYY-MM-DD."))
            values[name] = parsed
    if values["hire_date"] and values["leave_date"] and values["leave_date"] < values["hire_date"]:
        problem("leave_date", _("The leave date is before the hire date."))
    manager_ref = raw.get("manager_employee_id", "")
    if manager_ref and manager_ref == raw.get("employee_id"):
        problem("manager_employee_id", _("A person cannot be their own manager."))
    if not raw.get("employee_id"):
        return None
    # A row with a bad value is still checked for its manager and duplicates, so the
    # user sees every problem in one go.
    path = tuple((column, raw[column]) for column in UNIT_COLUMNS if raw.get(column))
    return ParsedRow(number, raw["employee_id"], values, manager_ref, path)


@dataclass
class _Existing:
    pk: int
    values: dict[str, Any]
    manager: str
    unit_id: int | None


def _existing_people(organisation: Organisation) -> dict[str, _Existing]:
    names = ("pk", "employee_id", *PERSON_FIELDS, "manager__employee_id", "org_unit_id")
    existing = {}
    for values in Person.objects.filter(organisation=organisation).values_list(*names):
        record = dict(zip(names, values, strict=True))
        existing[record["employee_id"]] = _Existing(
            pk=record["pk"],
            values={name: record[name] for name in PERSON_FIELDS},
            manager=record["manager__employee_id"] or "",
            unit_id=record["org_unit_id"],
        )
    return existing


def unit_paths(organisation: Organisation) -> dict[tuple[tuple[str, str], ...], int]:
    """Every existing unit of the organisation by its path of (kind column, name)."""
    units = {
        pk: (parent, name, kind)
        for pk, parent, name, kind in OrgUnit.objects.filter(organisation=organisation).values_list(
            "pk", "parent_id", "name", "kind"
        )
    }
    column_of: dict[str, str] = {str(kind): column for column, kind in UNIT_KINDS.items()}

    def path(pk: int) -> tuple[tuple[str, str], ...]:
        parent, name, kind = units[pk]
        head = path(parent) if parent else ()
        return (*head, (column_of.get(kind, kind), name))

    return {path(pk): pk for pk in units}


def _external_managers(
    organisation: Organisation, refs: set[str], problems: list[Problem], rows: dict[str, ParsedRow]
) -> dict[str, int]:
    """Managers employed in another organisation, written `org-slug:employee-id`."""
    found: dict[str, int] = {}
    for ref in refs:
        slug, _sep, employee_id = ref.partition(":")
        pk = (
            Person.objects.filter(organisation__slug=slug, employee_id=employee_id)
            .exclude(organisation=organisation)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is not None:
            found[ref] = pk
    for row in rows.values():
        ref = row.manager_ref
        if ref in refs and (ref not in found or not organisation.allow_external_managers):
            reason = (
                _("The manager is in another organisation, which this organisation does not allow.")
                if ref in found
                else _("Unknown manager: no such employee id in the file or in Mentora.")
            )
            problems.append(Problem(row.row, "manager_employee_id", ref, reason))
    return found


def _find_cycles(
    rows: dict[str, ParsedRow], existing: dict[str, _Existing], problems: list[Problem]
) -> None:
    """Report each reporting-line loop once, through the rows that make it."""
    manager_of = {eid: record.manager for eid, record in existing.items()}
    # Self-management is reported on its own row; it is not a loop worth tracing again.
    manager_of.update(
        {eid: ("" if row.manager_ref == eid else row.manager_ref) for eid, row in rows.items()}
    )
    state: dict[str, int] = {}  # 1 = on the current path, 2 = known to end at a root
    for start in rows:
        path: list[str] = []
        node = start
        while node and state.get(node, 0) == 0:
            state[node] = 1
            path.append(node)
            node = manager_of.get(node, "")
        if node and state.get(node) == 1:
            loop = path[path.index(node) :]
            labels = [str(rows[e].row) if e in rows else e for e in loop]
            first = rows[loop[0]] if loop[0] in rows else next(rows[e] for e in loop if e in rows)
            problems.append(
                Problem(
                    first.row,
                    "manager_employee_id",
                    first.manager_ref,
                    _("The reporting lines form a loop through rows %(rows)s.")
                    % {"rows": " -> ".join([*labels, labels[0]])},
                )
            )
        for visited in path:
            state[visited] = 2


def plan_import(
    *,
    organisation: Organisation,
    name: str,
    stream: IO[bytes],
    mapping: dict[str, str] | None = None,
    full: bool = False,
    progress: Progress = _no_progress,
) -> ImportPlan:
    """Read and check the whole file and work out what would change. Writes nothing."""
    plan = ImportPlan(organisation=organisation, full=full)
    progress("reading", 0.0)
    header, data = read_table(name, stream)
    positions, plan.problems = _columns(header, mapping or {})
    if plan.problems:
        return plan
    rows: dict[str, ParsedRow] = {}
    first_row_of: dict[str, int] = {}
    limit = settings.PEOPLE_IMPORT_MAX_ROWS
    # One row past the limit is enough to refuse the file without reading the rest.
    lines = list(islice(data, limit + 1))
    if len(lines) > limit:
        raise ImportFileError(
            _(
                "The file has more than %(limit)s rows; up to %(limit)s people can be "
                "imported at once."
            )
            % {"limit": number_format(limit, force_grouping=True)}
        )
    total = max(len(lines), 1)
    for offset, cells in enumerate(lines):
        number = offset + 2  # the header is row 1, as in a spreadsheet
        if not any(cell.strip() for cell in cells):
            continue
        parsed = _check_row(number, cells, positions, plan.problems)
        if parsed is None:
            continue
        if parsed.employee_id in rows:
            plan.problems.append(
                Problem(
                    number,
                    "employee_id",
                    parsed.employee_id,
                    _("Duplicate employee id: also on row %(row)s.")
                    % {"row": first_row_of[parsed.employee_id]},
                )
            )
            continue
        rows[parsed.employee_id] = parsed
        first_row_of[parsed.employee_id] = number
        if offset % 5000 == 0:
            progress("checking", 0.6 * offset / total)
    plan.rows = list(rows.values())
    progress("checking", 0.6)

    existing = _existing_people(organisation)
    external_refs = {
        r.manager_ref
        for r in plan.rows
        if r.manager_ref
        and r.manager_ref not in rows
        and r.manager_ref not in existing
        and ":" in r.manager_ref
    }
    for row in plan.rows:
        ref = row.manager_ref
        if ref and ref not in rows and ref not in existing and ref not in external_refs:
            plan.problems.append(
                Problem(
                    row.row,
                    "manager_employee_id",
                    ref,
                    _("Unknown manager: no such employee id in the file or in Mentora."),
                )
            )
    _external_managers(organisation, external_refs, plan.problems, rows)
    _find_cycles(rows, existing, plan.problems)
    progress("comparing", 0.8)
    plan.problems.sort(
        key=lambda p: (p.row, COLUMNS.index(p.column) if p.column in COLUMNS else 99)
    )
    if plan.problems:
        return plan

    paths = unit_paths(organisation)
    wanted_paths = {row.unit_path for row in plan.rows if row.unit_path}
    new_paths = {
        path[:depth]
        for path in wanted_paths
        for depth in range(1, len(path) + 1)
        if path[:depth] not in paths
    }
    plan.new_units = len(new_paths)
    for row in plan.rows:
        record = existing.get(row.employee_id)
        if record is None:
            plan.to_create.append(row)
            continue
        changed = [name for name in PERSON_FIELDS if record.values[name] != row.values[name]]
        if record.manager != row.manager_ref:
            changed.append("manager")
        if paths.get(row.unit_path) != record.unit_id:
            changed.append("org_unit")
        if changed:
            plan.to_update[row.employee_id] = changed
        else:
            plan.unchanged += 1
    if full:
        plan.to_mark_left = sorted(
            eid
            for eid, record in existing.items()
            if eid not in rows and record.values["leave_date"] is None
        )
    progress("previewed", 1.0)
    return plan


# --- applying --------------------------------------------------------------


def _ensure_units(
    organisation: Organisation, rows: list[ParsedRow]
) -> dict[tuple[tuple[str, str], ...], int]:
    """Create the units the file names and Mentora lacks, level by level, in bulk."""
    paths = unit_paths(organisation)
    wanted = {row.unit_path for row in rows if row.unit_path}
    missing = {path[:depth] for path in wanted for depth in range(1, len(path) + 1)} - set(paths)
    for depth in sorted({len(path) for path in missing}):
        level = sorted(path for path in missing if len(path) == depth)
        units = [
            OrgUnit(
                organisation=organisation,
                parent_id=paths[path[:-1]] if depth > 1 else None,
                name=path[-1][1],
                kind=UNIT_KINDS[path[-1][0]],
            )
            for path in level
        ]
        for path, unit in zip(
            level, OrgUnit.objects.bulk_create(units, batch_size=5000), strict=True
        ):
            paths[path] = unit.pk
    return paths


def _external_manager_pks(refs: Iterable[str]) -> dict[str, int]:
    found = {}
    for ref in set(refs):
        slug, _sep, employee_id = ref.partition(":")
        pk = (
            Person.objects.filter(organisation__slug=slug, employee_id=employee_id)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is not None:
            found[ref] = pk
    return found


@transaction.atomic
def apply_plan(plan: ImportPlan, *, progress: Progress = _no_progress) -> dict[str, int]:
    """Write a checked plan in one transaction: every row goes in, or nothing changes."""
    if not plan.ok:
        raise ValidationError(_("The file has problems; fix them before applying it."))
    organisation = plan.organisation
    progress("applying", 0.0)
    paths = _ensure_units(organisation, plan.rows)
    pk_of = dict(Person.objects.filter(organisation=organisation).values_list("employee_id", "pk"))
    pk_of.update(_external_manager_pks(r.manager_ref for r in plan.rows if ":" in r.manager_ref))

    # New people go in layer by layer from the top of the tree, so that every
    # manager already has a primary key when their reports are inserted.
    pending = list(plan.to_create)
    done = 0
    total = max(len(plan.to_create) + len(plan.to_update), 1)
    while pending:
        layer = [r for r in pending if not r.manager_ref or r.manager_ref in pk_of]
        if not layer:  # Cannot happen after the cycle check; fail loudly rather than loop.
            raise ValidationError(_("The reporting lines could not be ordered."))
        people = [
            Person(
                organisation=organisation,
                employee_id=row.employee_id,
                manager_id=pk_of.get(row.manager_ref) if row.manager_ref else None,
                org_unit_id=paths.get(row.unit_path),
                **row.values,
            )
            for row in layer
        ]
        for start in range(0, len(people), 5000):
            created = Person.objects.bulk_create(people[start : start + 5000])
            pk_of.update((p.employee_id, p.pk) for p in created)
            done += len(created)
            progress("applying", done / total)
        in_layer = {row.employee_id for row in layer}
        pending = [r for r in pending if r.employee_id not in in_layer]

    if plan.to_update:
        by_id = {row.employee_id: row for row in plan.rows}
        changed_people = []
        changed_fields: set[str] = set()
        for person in Person.objects.filter(
            organisation=organisation, employee_id__in=list(plan.to_update)
        ):
            row = by_id[person.employee_id]
            for name in plan.to_update[person.employee_id]:
                if name == "manager":
                    person.manager_id = pk_of.get(row.manager_ref) if row.manager_ref else None
                elif name == "org_unit":
                    person.org_unit_id = paths.get(row.unit_path)
                else:
                    setattr(person, name, row.values[name])
                changed_fields.add(name)
            changed_people.append(person)
        Person.objects.bulk_update(changed_people, sorted(changed_fields), batch_size=2000)
        progress("applying", 1.0)

    if plan.to_mark_left:
        today = timezone.localdate()
        for start in range(0, len(plan.to_mark_left), 5000):
            Person.objects.filter(
                organisation=organisation, employee_id__in=plan.to_mark_left[start : start + 5000]
            ).update(leave_date=today)
    progress("done", 1.0)
    return plan.counts()


def export_rows(organisation: Organisation, *, include_sensitive: bool) -> Iterator[list[Any]]:
    """The organisation's people in the import columns, header first: what goes in comes out
    (written through `mentora.core.spreadsheets`, whose formula quoting the import undoes)."""
    paths = {pk: dict(path) for path, pk in unit_paths(organisation).items()}
    yield list(COLUMNS)
    people = (
        Person.objects.filter(organisation=organisation)
        .order_by("employee_id")
        .values_list(
            "employee_id",
            *PERSON_FIELDS,
            "manager__employee_id",
            "manager__organisation__slug",
            "org_unit_id",
        )
    )
    for record in people.iterator(chunk_size=5000):
        employee_id, *values, manager_id, manager_org, unit_id = record
        fields = dict(zip(PERSON_FIELDS, values, strict=True))
        unit = paths.get(unit_id, {})
        manager = manager_id or ""
        if manager and manager_org != organisation.slug:
            manager = f"{manager_org}:{manager_id}"
        yield [
            employee_id,
            fields["first_name"],
            fields["last_name"],
            fields["email"],
            manager,
            unit.get("division", ""),
            unit.get("department", ""),
            unit.get("team", ""),
            fields["job_title"],
            "" if fields["level"] is None else fields["level"],
            fields["location"],
            fields["timezone"],
            ";".join(fields["languages"] or []),
            fields["hire_date"].isoformat() if fields["hire_date"] else "",
            fields["leave_date"].isoformat() if fields["leave_date"] else "",
            fields["gender"] if include_sensitive else "",
        ]


def open_file(path: Path) -> IO[bytes]:
    return path.open("rb")
