"""HR imports: upload, preview, apply. Each step is audited; applying is all-or-nothing."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mentora.accounts.models import Organisation
from mentora.core.audit import audit_log, values_assign, values_check
from mentora.people.importer.files import ImportFileError
from mentora.people.importer.plan import ImportPlan, apply_plan, plan_import
from mentora.people.models import (
    FINISHED_STATUSES,
    ColumnMapping,
    ImportRun,
    ImportStatus,
    OrgUnit,
    OrgUnitKind,
    Person,
)
from mentora.people.tasks import apply_import, preview_import
from mentora.webhooks.services import emit

logger = logging.getLogger(__name__)

# Files up to this size are checked while the manager waits; larger ones go to the worker.
INLINE_LIMIT_BYTES = 512 * 1024
MAX_PROBLEMS_KEPT = 1000
# An uploaded HR file holds everyone's personal data: it is deleted as soon as its run can
# go no further, and in any case this long after the upload (`import_files_sweep`).
KEEP_FILE_FOR = dt.timedelta(days=7)


class _SideChannel:
    """Progress written on a connection of its own, committed at once, so the page shows
    the bar moving while the import's own transaction is still open. PostgreSQL only:
    SQLite allows one writer, and the import holds it."""

    def __init__(self) -> None:
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def update(self, run_id: int, stage: str, fraction: float) -> None:
        table = ImportRun._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                # The table name comes from the model; the values are parameters.
                f'UPDATE "{table}" SET stage = %s, progress = %s WHERE id = %s',
                [stage, fraction, run_id],
            )

    def close(self) -> None:
        self.connection.close()


def _progress_writer(run: ImportRun, side: _SideChannel | None = None) -> Any:
    last = {"value": -1.0}

    def write(stage: str, fraction: float) -> None:
        # Write only when the bar visibly moves: a 180,000-row file reports often.
        if fraction - last["value"] >= 0.01 or stage != run.stage:
            last["value"] = fraction
            run.stage, run.progress = stage, fraction
            if side is not None:
                side.update(run.pk, stage, fraction)
            else:
                ImportRun.objects.filter(pk=run.pk).update(stage=stage, progress=fraction)

    return write


def mapping_for(organisation: Organisation) -> dict[str, str]:
    saved = ColumnMapping.objects.filter(organisation=organisation).first()
    return dict(saved.mapping) if saved else {}


@transaction.atomic
def mapping_save(*, organisation: Organisation, mapping: dict[str, str], actor: Any) -> None:
    """Remember an organisation's column names for its next import."""
    saved, _created = ColumnMapping.objects.get_or_create(organisation=organisation)
    if saved.mapping != mapping:
        audit_log(
            actor=actor,
            action="people.mapping.update",
            obj=saved,
            organisation=organisation,
            changes={"mapping": {"old": saved.mapping, "new": mapping}},
        )
        saved.mapping = mapping
        saved.save()


def import_upload(
    *,
    organisation: Organisation,
    uploaded: UploadedFile,
    full: bool,
    mapping: dict[str, str],
    actor: Any,
) -> ImportRun:
    """Store an uploaded HR file and check it: at once when small, in the worker when large."""

    with transaction.atomic():
        mapping_save(organisation=organisation, mapping=mapping, actor=actor)
        run = ImportRun.objects.create(
            organisation=organisation,
            created_by=actor,
            file=uploaded,
            file_name=uploaded.name or "upload",
            full=full,
            mapping=mapping,
        )
        audit_log(
            actor=actor,
            action="people.import.upload",
            obj=run,
            changes={"file": run.file_name, "full": full, "size": uploaded.size},
        )
        if (uploaded.size or 0) > INLINE_LIMIT_BYTES:
            transaction.on_commit(partial(preview_import.enqueue, run.pk))
    if (uploaded.size or 0) <= INLINE_LIMIT_BYTES:
        import_preview(run=run)
    return run


def _discard_file(run: ImportRun) -> None:
    """Delete the run's uploaded file once the change is committed; the run keeps its file
    name, counts and problems."""
    if not run.file:
        return
    name, storage = run.file.name, run.file.storage
    run.file = None
    run.save(update_fields=["file"])
    transaction.on_commit(partial(storage.delete, name))


def _stored_size(run: ImportRun) -> int | None:
    """The size of the run's uploaded file, or None when it is no longer stored."""
    if not run.file:
        return None
    try:
        return run.file.size
    except FileNotFoundError:
        return None


def _plan(run: ImportRun, progress: Any) -> ImportPlan:
    if _stored_size(run) is None:
        raise ImportFileError(_("The uploaded file is no longer kept; upload it again."))
    with run.file.open("rb") as stream:
        return plan_import(
            organisation=run.organisation,
            name=run.file_name,
            stream=stream,
            mapping=run.mapping,
            full=run.full,
            progress=progress,
        )


def import_preview(*, run: ImportRun) -> ImportRun:
    """Check the file and store what would change and every problem. Writes no people."""
    if run.status not in (ImportStatus.PENDING, ImportStatus.CHECKING):
        return run  # Cancelled or swept while it waited for the worker.
    language = run.created_by.language if run.created_by else None
    run.status = ImportStatus.CHECKING
    run.save(update_fields=["status"])
    try:
        with translation.override(language):
            plan = _plan(run, _progress_writer(run))
    except Exception as error:  # noqa: BLE001 - whatever happens, the run must not stay "checking"
        run.status, run.error = ImportStatus.FAILED, _failure(run, error, language)
        run.problems, run.problem_count = [], 0
    else:
        run.counts = plan.counts()
        run.problems = [p.as_dict() for p in plan.problems[:MAX_PROBLEMS_KEPT]]
        run.problem_count = len(plan.problems)
        run.status = ImportStatus.PREVIEWED if plan.ok else ImportStatus.INVALID
    run.progress, run.stage = 1.0, ""
    run.save(
        update_fields=[
            "status",
            "error",
            "counts",
            "problems",
            "problem_count",
            "progress",
            "stage",
        ]
    )
    if run.status != ImportStatus.PREVIEWED:
        _discard_file(run)  # Problems or a failure: this file can never be applied.
    return run


def _failure(run: ImportRun, error: Exception, language: str | None) -> str:
    """What the run's page says went wrong: the file's own error, or a plain word for a fault
    in Mentora, which is logged in full for the operators."""
    if isinstance(error, ImportFileError | ValidationError):
        return " ".join(getattr(error, "messages", [str(error)]))
    logger.exception("HR import %s stopped on an unexpected error", run.pk)
    with translation.override(language):
        return _(
            "The import stopped on an unexpected error and nothing was changed. Try again; if "
            "it happens again, tell your Mentora administrator."
        )


def import_apply_start(*, run: ImportRun, actor: Any) -> ImportRun:
    """Apply a previewed import: at once when small, in the worker when large."""

    # Claimed with one conditional update, so that cancelling, the daily sweep and a second
    # click cannot apply or discard the same run at the same time.
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.APPLYING, progress=0.0, stage="applying"
    )
    if not claimed:
        raise ValidationError(_("Only a checked file without problems can be applied."))
    run.status, run.progress, run.stage = ImportStatus.APPLYING, 0.0, "applying"
    if (_stored_size(run) or 0) > INLINE_LIMIT_BYTES:
        transaction.on_commit(partial(apply_import.enqueue, run.pk, actor.pk if actor else None))
        return run
    return import_apply(run=run, actor=actor)


def import_apply(*, run: ImportRun, actor: Any) -> ImportRun:
    """Check the file again against today's data and write it, all or nothing, audited."""
    if run.status != ImportStatus.APPLYING:
        return run  # Swept while it waited for the worker.
    language = run.created_by.language if run.created_by else None
    side = _SideChannel() if connection.vendor == "postgresql" else None
    progress = _progress_writer(run, side)
    try:
        with translation.override(language), transaction.atomic():
            plan = _plan(run, progress)
            if not plan.ok:
                raise ValidationError(
                    _("The data changed since the preview; check the file again.")
                )
            counts = apply_plan(plan, progress=progress)
            audit_log(
                actor=actor,
                action="people.import.apply",
                obj=run,
                changes={"file": run.file_name, "full": run.full, "counts": counts},
            )
    except Exception as error:  # noqa: BLE001 - whatever happens, the run must not stay "applying"
        run.status, run.error = ImportStatus.FAILED, _failure(run, error, language)
        run.progress, run.stage = 1.0, ""
        run.save(update_fields=["status", "error", "progress", "stage"])
        _discard_file(run)
        return run
    finally:
        if side is not None:
            side.close()
    run.status, run.counts, run.finished_at = ImportStatus.DONE, counts, timezone.now()
    run.progress, run.stage = 1.0, ""
    run.save(update_fields=["status", "counts", "finished_at", "progress", "stage"])
    _discard_file(run)
    return run


@transaction.atomic
def import_cancel(*, run: ImportRun, actor: Any) -> ImportRun:
    """Abandon a checked import without applying it: its file is deleted, its record kept."""
    cancelled = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.CANCELLED, finished_at=timezone.now()
    )
    if not cancelled:
        raise ValidationError(_("Only a checked import that was not applied can be cancelled."))
    run.refresh_from_db(fields=["status", "finished_at"])
    _discard_file(run)
    audit_log(
        actor=actor,
        action="people.import.cancel",
        obj=run,
        changes={"file": run.file_name, "status": {"old": "previewed", "new": run.status}},
    )
    return run


def import_files_sweep(
    *, now: dt.datetime | None = None, organisation: Organisation | None = None
) -> dict[str, int]:
    """Delete every uploaded HR file nothing can use any more: those of runs that went as far
    as they can, and any uploaded more than `KEEP_FILE_FOR` ago, whose run is then cancelled
    (or failed, if it never finished). Run it daily (`manage.py sweep_import_files`), or for
    one `organisation` (its retention run)."""
    now = now or timezone.now()
    counts = {"deleted": 0, "expired": 0}
    runs = ImportRun.objects.all()
    if organisation is not None:
        runs = runs.filter(organisation=organisation)
    due = (
        runs.exclude(file="")
        .filter(Q(status__in=FINISHED_STATUSES) | Q(created_at__lte=now - KEEP_FILE_FOR))
        .select_related("created_by")
    )
    for run in due.iterator():
        with transaction.atomic():
            expired = run.status not in FINISHED_STATUSES
            if expired and not _expire(run, now):
                continue
            _discard_file(run)
        counts["deleted"] += 1
        counts["expired"] += expired
    return counts


def _expire(run: ImportRun, now: dt.datetime) -> bool:
    """End a run that outlived its file; False if it moved on meanwhile."""
    language = run.created_by.language if run.created_by else None
    with translation.override(language):
        if run.status == ImportStatus.PREVIEWED:
            status = ImportStatus.CANCELLED
            note = _("Not applied within %(days)s days, so the uploaded file was deleted.")
        else:
            status = ImportStatus.FAILED
            note = _("Not finished within %(days)s days, so the uploaded file was deleted.")
        note %= {"days": KEEP_FILE_FOR.days}
    moved = ImportRun.objects.filter(pk=run.pk, status=run.status).update(
        status=status, error=note, finished_at=now, progress=1.0, stage=""
    )
    if not moved:
        return False
    audit_log(
        actor=None,
        action="people.import.expire",
        obj=run,
        changes={"file": run.file_name, "status": {"old": run.status, "new": status}},
    )
    run.status, run.error, run.finished_at = status, note, now
    return True


# One person or one unit at a time: what a provisioning client (SCIM) changes as people
# join, move and leave, between two HR imports. The same checks as the import: employee ids
# are unique, a manager is in the organisation (or allowed outside it), reporting lines never
# loop. Every change is audited with its `source`.

# The person fields these services set directly; `manager` and `org_unit` are links.
PERSON_VALUES = (
    "employee_id",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "location",
    "timezone",
    "hire_date",
    "leave_date",
    "manager",
    "org_unit",
)


def _person_check(person: Person) -> None:
    """Refuse what the database or the reporting lines would not allow."""
    organisation = person.organisation
    if not person.employee_id.strip():
        raise ValidationError(_("An employee id is required."), code="required")
    duplicate = Person.objects.filter(organisation=organisation, employee_id=person.employee_id)
    if person.pk:
        duplicate = duplicate.exclude(pk=person.pk)
    if duplicate.exists():
        raise ValidationError(
            _("Another person already has the employee id %(id)s.") % {"id": person.employee_id},
            code="unique",
        )
    manager = person.manager
    if manager is not None:
        if manager.organisation_id != organisation.pk and not organisation.allow_external_managers:
            raise ValidationError(
                _(
                    "The manager is in another organisation, which this organisation does not "
                    "allow."
                ),
                code="manager",
            )
        # The new manager, and everyone above them, must not report to this person.
        if person.pk and (
            manager.pk == person.pk or person.pk in {m.pk for m in manager.management_chain()}
        ):
            raise ValidationError(
                _("This manager would make the reporting lines loop."), code="manager"
            )
    if person.org_unit is not None and person.org_unit.organisation_id != organisation.pk:
        raise ValidationError(_("The unit belongs to another organisation."), code="org_unit")


@transaction.atomic
def person_create(
    *, organisation: Organisation, values: dict[str, Any], actor: Any, source: str
) -> Person:
    """Add one person to the organisation's directory."""
    values_check(values, PERSON_VALUES, what="a person's field")
    person = Person(organisation=organisation, **values)
    _person_check(person)
    person.save()
    audit_log(
        actor=actor,
        action="people.person.create",
        obj=person,
        changes={"source": source, "employee_id": person.employee_id},
    )
    return person


@transaction.atomic
def person_update(*, person: Person, values: dict[str, Any], actor: Any, source: str) -> Person:
    """Change one person's directory record; a leave date marks them as left, and nothing
    about them is deleted."""
    values_check(values, PERSON_VALUES, what="a person's field")
    changes = values_assign(person, values, PERSON_VALUES)
    if not changes:
        return person
    _person_check(person)
    person.save()
    audit_log(
        actor=actor,
        action="people.person.update",
        obj=person,
        changes={"source": source, **_printable(changes)},
    )
    if "leave_date" in changes and changes["leave_date"]["old"] is None and person.leave_date:
        # The same event, and payload, as an HR import that marks people as left.
        emit(
            organisation_ids=[person.organisation_id],
            event="person.left",
            payload={
                "organisation": person.organisation.slug,
                "people": [
                    {
                        "person_id": person.pk,
                        "employee_id": person.employee_id,
                        "leave_date": person.leave_date,
                    }
                ],
            },
        )
    return person


def _printable(changes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Dates and linked rows as text the audit log can store."""

    def plain(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    return {
        name: {"old": plain(change["old"]), "new": plain(change["new"])}
        for name, change in changes.items()
    }


@transaction.atomic
def unit_create(
    *,
    organisation: Organisation,
    name: str,
    actor: Any,
    source: str,
    kind: str = OrgUnitKind.OTHER,
    parent: OrgUnit | None = None,
) -> OrgUnit:
    """Add a unit to the organisation's tree (at the top unless a parent is given)."""
    unit = OrgUnit(organisation=organisation, name=name.strip(), kind=kind, parent=parent)
    _unit_check(unit)
    unit.save()
    audit_log(
        actor=actor,
        action="people.unit.create",
        obj=unit,
        changes={"source": source, "name": unit.name},
    )
    return unit


def _unit_check(unit: OrgUnit) -> None:
    if not unit.name:
        raise ValidationError(_("A unit needs a name."), code="required")
    same = OrgUnit.objects.filter(
        organisation_id=unit.organisation_id, parent_id=unit.parent_id, name=unit.name
    )
    if unit.pk:
        same = same.exclude(pk=unit.pk)
    if same.exists():
        raise ValidationError(
            _("Another unit in the same place is already called %(name)s.") % {"name": unit.name},
            code="unique",
        )


@transaction.atomic
def unit_rename(*, unit: OrgUnit, name: str, actor: Any, source: str) -> OrgUnit:
    """Give a unit a new name."""
    old = unit.name
    unit.name = name.strip()
    if unit.name == old:
        return unit
    _unit_check(unit)
    unit.save(update_fields=["name"])
    audit_log(
        actor=actor,
        action="people.unit.rename",
        obj=unit,
        changes={"source": source, "name": {"old": old, "new": unit.name}},
    )
    return unit


@transaction.atomic
def unit_members_set(
    *,
    unit: OrgUnit,
    add: list[Person],
    remove: list[Person],
    actor: Any,
    source: str,
) -> None:
    """Move people into the unit (a person is in one unit, so this moves them out of their
    last one) and take people out of it (they are then in no unit)."""
    if any(person.organisation_id != unit.organisation_id for person in [*add, *remove]):
        raise ValidationError(_("Everyone must belong to the unit's organisation."), code="member")
    added = Person.objects.filter(pk__in=[p.pk for p in add]).exclude(org_unit=unit)
    added_ids = sorted(added.values_list("pk", flat=True))
    added.update(org_unit=unit)
    removed = Person.objects.filter(pk__in=[p.pk for p in remove], org_unit=unit)
    removed_ids = sorted(removed.values_list("pk", flat=True))
    removed.update(org_unit=None)
    if added_ids or removed_ids:
        audit_log(
            actor=actor,
            action="people.unit.members",
            obj=unit,
            changes={"source": source, "added": added_ids, "removed": removed_ids},
        )


@transaction.atomic
def unit_delete(*, unit: OrgUnit, actor: Any, source: str) -> None:
    """Remove a unit without sub-units; its people stay in the directory, in no unit."""
    if unit.children.exists():
        raise ValidationError(
            _("The unit has units under it; move or remove those first."), code="children"
        )
    audit_log(
        actor=actor,
        action="people.unit.delete",
        obj=unit,
        changes={"source": source, "name": unit.name},
    )
    unit.delete()
