"""The import plan: what would be created, updated and marked as left, checked against the
data as it is, and applied in one transaction; and the directory's export."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from mentora.accounts.models import Organisation
from mentora.matching.reporting import reporting_loops
from mentora.people.importer.files import ImportFileError, read_table
from mentora.people.importer.rows import (
    COLUMNS,
    PERSON_FIELDS,
    UNIT_KINDS,
    ParsedRow,
    Problem,
    _check_row,
    _columns,
)
from mentora.people.models import OrgUnit, Person
from mentora.webhooks.services import emit

Progress = Callable[[str, float], None]


def _no_progress(stage: str, fraction: float) -> None:
    pass


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


@dataclass
class _Existing:
    pk: int
    values: dict[str, Any]
    manager: str
    unit_id: int | None


def _existing_people(organisation: Organisation) -> dict[str, _Existing]:
    names = ("pk", "employee_id", *PERSON_FIELDS, "manager__employee_id", "org_unit_id")
    existing = {}
    # Guests are outside the HR data: a file neither updates them nor marks them as left.
    people = Person.objects.filter(organisation=organisation, external=False)
    for values in people.values_list(*names):
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
    for loop in reporting_loops(manager_of, rows):
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

    # Whoever gets a leave date now, from their row or by missing from a full file.
    leavers = list(plan.to_mark_left)
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
                    if name == "leave_date" and person.leave_date is None:
                        leavers.append(person.employee_id)
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
    _tell_leavers(organisation, leavers)
    progress("done", 1.0)
    return plan.counts()


def _tell_leavers(organisation: Organisation, employee_ids: list[str]) -> None:
    """One `person.left` event for the import, listing each leaver by id (no other field)."""
    people = []
    for start in range(0, len(employee_ids), 5000):
        people += [
            {"person_id": pk, "employee_id": employee_id, "leave_date": leave_date}
            for pk, employee_id, leave_date in Person.objects.filter(
                organisation=organisation,
                employee_id__in=employee_ids[start : start + 5000],
                leave_date__isnull=False,
            )
            .order_by("pk")
            .values_list("pk", "employee_id", "leave_date")
        ]
    if people:
        emit(
            organisation_ids=[organisation.pk],
            event="person.left",
            payload={"organisation": organisation.slug, "people": people},
        )


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
