"""HR imports: upload, preview, apply. Each step is audited; applying is all-or-nothing."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mentora.accounts.models import Organisation
from mentora.core.audit import audit_log
from mentora.people.importer import ImportFileError, ImportPlan, apply_plan, plan_import
from mentora.people.models import ColumnMapping, ImportRun, ImportStatus

logger = logging.getLogger(__name__)

# Files up to this size are checked while the manager waits; larger ones go to the worker.
INLINE_LIMIT_BYTES = 512 * 1024
MAX_PROBLEMS_KEPT = 1000


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
    from mentora.people.tasks import preview_import

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


def _plan(run: ImportRun, progress: Any) -> ImportPlan:
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
    from mentora.people.tasks import apply_import

    if run.status != ImportStatus.PREVIEWED:
        raise ValidationError(_("Only a checked file without problems can be applied."))
    run.status, run.progress, run.stage = ImportStatus.APPLYING, 0.0, "applying"
    run.save(update_fields=["status", "progress", "stage"])
    if run.file.size > INLINE_LIMIT_BYTES:
        transaction.on_commit(partial(apply_import.enqueue, run.pk, actor.pk if actor else None))
        return run
    return import_apply(run=run, actor=actor)


def import_apply(*, run: ImportRun, actor: Any) -> ImportRun:
    """Check the file again against today's data and write it, all or nothing, audited."""
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
        return run
    finally:
        if side is not None:
            side.close()
    run.status, run.counts, run.finished_at = ImportStatus.DONE, counts, timezone.now()
    run.progress, run.stage = 1.0, ""
    run.save(update_fields=["status", "counts", "finished_at", "progress", "stage"])
    return run
