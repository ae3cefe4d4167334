"""Reading CSV and TOML input with errors that name file, row, column and value.

Rows are counted as lines of the file: the header is row 1, the first data row is row 2,
and a row whose quoted cell spans lines is numbered by the line it starts on.
Lists inside a cell (languages, themes, preferences, exclude) are ``;``-separated.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mentora.matching.model import MAX_CAPACITY, ExplicitPairs, Person
from mentora.matching.policy import Policy, PolicyError
from mentora.matching.reporting import reporting_loops
from mentora.matching.timezones import utc_offset_hours

PERSON_COLUMNS = (
    "id",
    "name",
    "organisation",
    "team",
    "department",
    "division",
    "location",
    "timezone",
    "gender",
    "level",
    "languages",
    "themes",
    "goals",
    "preferences",
    "exclude",
    "capacity",
    "manager_id",
)
LIST_COLUMNS = ("languages", "themes", "preferences", "exclude")


class InputError(ValueError):
    """Bad input, located precisely enough for a programme manager to fix it."""

    def __init__(
        self, file: str | Path, row: int | str, column: str, value: object, reason: str
    ) -> None:
        self.file, self.row, self.column, self.value, self.reason = (
            str(file),
            row,
            column,
            value,
            reason,
        )
        super().__init__(f"{file}: row {row}, column {column}, value {value!r}: {reason}")


@dataclass(frozen=True)
class Located:
    """Where a person's row came from, for cross-file checks."""

    file: str
    row: int


def _text(path: Path) -> str:
    """The file as text (UTF-8, with or without a byte-order mark)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, 0, "-", str(path), f"cannot open file ({exc.strerror})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.end]
        raise InputError(path, line, "-", bad, "not UTF-8 text; save the file as UTF-8") from None


def _rows(
    path: Path, required: Sequence[str], allowed: Sequence[str]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    # Strict: a quote left open to the end of the file is an error, not one long cell.
    reader = csv.reader(io.StringIO(_text(path), newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(path, 1, "-", "", "the file is empty; a header row is needed") from None
    except csv.Error as exc:
        raise InputError(path, 1, "-", "", f"unreadable CSV ({exc})") from exc
    for name in required:
        if name not in header:
            raise InputError(path, 1, name, ",".join(header), "missing column")
    for name in header:
        if name not in allowed:
            raise InputError(path, 1, name, name, f"unknown column; allowed: {', '.join(allowed)}")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise InputError(path, 1, dup, dup, "duplicate column")
    width = len(header)
    rows: list[tuple[int, list[str]]] = []
    # A row's number is the line it starts on: quoted cells may span lines.
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(path, start, "-", "", f"unreadable CSV ({exc})") from exc
        if len(row) == width:
            rows.append((start, row))
        elif any(cell.strip() for cell in row):
            raise InputError(
                path, start, "-", ",".join(row), f"expected {width} fields, found {len(row)}"
            )
        start = reader.line_num + 1
    return header, rows


def _split(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in value.split(";") if v.strip()))


def read_persons(path: Path, *, side: str) -> tuple[list[Person], dict[str, Located]]:
    """Profiles of mentees or mentors (``side`` is "mentee" or "mentor")."""
    allowed = [c for c in PERSON_COLUMNS if side == "mentor" or c != "capacity"]
    header, rows = _rows(path, ("id",), allowed)
    col = {name: header.index(name) for name in header}
    people: list[Person] = []
    where: dict[str, Located] = {}
    for number, row in rows:
        values = {name: row[k].strip() for name, k in col.items()}
        pid = values["id"]
        if not pid:
            raise InputError(path, number, "id", pid, "empty id")
        if pid in where:
            raise InputError(
                path, number, "id", pid, f"duplicate id (first on row {where[pid].row})"
            )
        level: float | None = None
        if values.get("level"):
            level = _number(path, number, "level", values["level"])
        capacity: int | None = None
        if values.get("capacity"):
            capacity = _count(path, number, "capacity", values["capacity"])
        tz = values.get("timezone", "")
        if tz:
            try:
                utc_offset_hours(tz)
            except ValueError:
                raise InputError(
                    path,
                    number,
                    "timezone",
                    tz,
                    "not an IANA time zone or a UTC offset like +05:30",
                ) from None
        lists = {name: _split(values.get(name, "")) for name in LIST_COLUMNS}
        people.append(
            Person(
                id=pid,
                name=values.get("name", ""),
                organisation=values.get("organisation", ""),
                team=values.get("team", ""),
                department=values.get("department", ""),
                division=values.get("division", ""),
                location=values.get("location", ""),
                timezone=tz,
                gender=values.get("gender", ""),
                level=level,
                goals=values.get("goals", ""),
                capacity=capacity,
                manager_id=values.get("manager_id", ""),
                **lists,
            )
        )
        where[pid] = Located(str(path), number)
    return people, where


# Plain decimal notation only: Python would also read "1_000", "nan" and other scripts' digits.
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_WHOLE = re.compile(r"[+-]?\d+", re.ASCII)


def _number(path: Path, row: int, column: str, text: str) -> float:
    if not _DECIMAL.fullmatch(text):
        raise InputError(path, row, column, text, "not a number")
    value = float(text)
    if not math.isfinite(value):
        raise InputError(path, row, column, text, "not a finite number")
    return value


def _count(path: Path, row: int, column: str, text: str) -> int:
    if not _WHOLE.fullmatch(text):
        raise InputError(path, row, column, text, "not a whole number")
    value = int(text)
    if value < 0:
        raise InputError(path, row, column, text, "must not be negative")
    if value > MAX_CAPACITY:
        raise InputError(path, row, column, text, f"must be at most {MAX_CAPACITY}")
    return value


def check_references(
    path: Path,
    people: Sequence[Person],
    where: dict[str, Located],
    *,
    other_ids: Iterable[str],
    other_side: str,
) -> None:
    """Preferences and exclusions must name people on the other side."""
    known = set(other_ids)
    for p in people:
        for column in ("preferences", "exclude"):
            for ref in getattr(p, column):
                if ref not in known:
                    raise InputError(path, where[p.id].row, column, ref, f"unknown {other_side} id")


def read_people(path: Path) -> tuple[list[tuple[str, str]], dict[str, int]]:
    header, rows = _rows(path, ("id", "manager_id"), ("id", "manager_id"))
    ci, cm = header.index("id"), header.index("manager_id")
    out: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        pid, mid = row[ci].strip(), row[cm].strip()
        if not pid:
            raise InputError(path, number, "id", pid, "empty id")
        if pid in seen:
            raise InputError(path, number, "id", pid, f"duplicate id (first on row {seen[pid]})")
        seen[pid] = number
        out.append((pid, mid))
    return out, seen


def check_reporting(
    people: Sequence[tuple[str, str]],
    people_rows: dict[str, int],
    people_path: Path | None,
    persons: Sequence[tuple[Person, Located]],
) -> None:
    """Every manager_id must be a known person and the reporting lines must not loop."""
    managers: dict[str, str] = dict(people)
    located: dict[str, tuple[str, int]] = {
        pid: (str(people_path), row) for pid, row in people_rows.items()
    }
    for p, loc in persons:
        if p.id not in managers or not managers[p.id]:
            managers[p.id] = p.manager_id
            located[p.id] = (loc.file, loc.row)
        elif p.manager_id and p.manager_id != managers[p.id]:
            file, row = located[p.id]
            raise InputError(
                loc.file,
                loc.row,
                "manager_id",
                p.manager_id,
                f"conflicts with {Path(file).name} row {row}, which gives {managers[p.id]!r}",
            )
    for pid, mid in managers.items():
        if mid and mid not in managers:
            file, row = located[pid]
            raise InputError(file, row, "manager_id", mid, "unknown person id")
    loop = next(reporting_loops(managers, managers), None)
    if loop is not None:
        node = loop[0]
        file, row = located[node]
        raise InputError(
            file, row, "manager_id", managers[node], f"reporting cycle through {node!r}"
        )


def read_competitors(path: Path) -> list[tuple[str, str]]:
    header, rows = _rows(
        path, ("organisation_a", "organisation_b"), ("organisation_a", "organisation_b")
    )
    ca, cb = header.index("organisation_a"), header.index("organisation_b")
    out = []
    for number, row in rows:
        for k, name in ((ca, "organisation_a"), (cb, "organisation_b")):
            if not row[k].strip():
                raise InputError(path, number, name, row[k], "empty organisation")
        out.append((row[ca].strip(), row[cb].strip()))
    return out


def read_pairs(path: Path) -> tuple[list[str], list[str], ExplicitPairs]:
    """Explicit candidate pairs; ids in order of first appearance."""
    header, rows = _rows(
        path, ("mentee_id", "mentor_id", "score"), ("mentee_id", "mentor_id", "score")
    )
    ca, cb, cs = (header.index(n) for n in ("mentee_id", "mentor_id", "score"))
    mentee_index: dict[str, int] = {}
    mentor_index: dict[str, int] = {}
    ia = [mentee_index.setdefault(r[ca].strip(), len(mentee_index)) for _, r in rows]
    jb = [mentor_index.setdefault(r[cb].strip(), len(mentor_index)) for _, r in rows]
    for empty_col, table in (("mentee_id", mentee_index), ("mentor_id", mentor_index)):
        if "" in table:
            k = ca if empty_col == "mentee_id" else cb
            number = next(n for n, r in rows if not r[k].strip())
            raise InputError(path, number, empty_col, "", "empty id")
    texts = [r[cs] for _, r in rows]
    joined = "".join(texts)
    try:
        if "_" in joined or not joined.isascii():
            raise ValueError(joined)
        score = np.array(texts, dtype=np.float64) if texts else np.zeros(0)
    except ValueError:
        score = np.zeros(0)
        for number, r in rows:
            _number(path, number, "score", r[cs].strip())
    bad = np.flatnonzero(~np.isfinite(score))
    if bad.size:
        number, r = rows[int(bad[0])]
        raise InputError(path, number, "score", r[cs], "not a finite number")
    a = np.asarray(ia, dtype=np.int64)
    b = np.asarray(jb, dtype=np.int64)
    key = a * max(len(mentor_index), 1) + b
    uniq, first = np.unique(key, return_index=True)
    if uniq.size != key.size:
        seen = np.zeros(key.size, dtype=bool)
        seen[first] = True
        dup = int(np.flatnonzero(~seen)[0])
        number, r = rows[dup]
        raise InputError(path, number, "mentor_id", r[cb], f"duplicate pair {r[ca]},{r[cb]}")
    return list(mentee_index), list(mentor_index), ExplicitPairs(a, b, score)


def read_capacities(path: Path) -> dict[str, int]:
    header, rows = _rows(path, ("mentor_id", "capacity"), ("mentor_id", "capacity"))
    cm, cc = header.index("mentor_id"), header.index("capacity")
    out: dict[str, int] = {}
    for number, row in rows:
        mid = row[cm].strip()
        if not mid:
            raise InputError(path, number, "mentor_id", mid, "empty id")
        if mid in out:
            raise InputError(path, number, "mentor_id", mid, "duplicate mentor id")
        out[mid] = _count(path, number, "capacity", row[cc].strip())
    return out


def read_locks(
    path: Path, mentee_ids: set[str], mentor_ids: set[str]
) -> list[tuple[int, str, str]]:
    header, rows = _rows(path, ("mentee_id", "mentor_id"), ("mentee_id", "mentor_id"))
    ca, cb = header.index("mentee_id"), header.index("mentor_id")
    out: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        a, b = row[ca].strip(), row[cb].strip()
        if a not in mentee_ids:
            raise InputError(path, number, "mentee_id", a, "unknown mentee id")
        if b not in mentor_ids:
            raise InputError(path, number, "mentor_id", b, "unknown mentor id")
        if a in seen:
            raise InputError(
                path, number, "mentee_id", a, f"mentee already locked on row {seen[a]}"
            )
        seen[a] = number
        out.append((number, a, b))
    return out


def read_policy(path: Path) -> Policy:
    try:
        data = tomllib.loads(_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, "?", "-", "", f"invalid TOML ({exc})") from exc
    try:
        return Policy.from_dict(data)
    except PolicyError as exc:
        raise InputError(path, "-", exc.key, exc.value, exc.reason) from exc
