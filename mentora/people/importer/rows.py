"""The columns of an HR file and the check of each row: every problem with its row, column,
value and reason."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from mentora.core.forms import parse_whole_number
from mentora.people.models import OrgUnitKind

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

# Person fields an import sets, compared one by one to find what changed: every column
# but the key and the two that become links (the manager and the org unit).
PERSON_FIELDS = tuple(
    column
    for column in COLUMNS
    if column not in ("employee_id", "manager_employee_id", *UNIT_COLUMNS)
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
