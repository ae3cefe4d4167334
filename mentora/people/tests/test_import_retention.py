"""An uploaded HR file lives only as long as its import may still be applied, and 7 days at
most; the record of the import stays."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONAS
from mentora.core.models import AuditEntry
from mentora.people import services
from mentora.people.models import ImportRun, ImportStatus, Person
from mentora.people.tests.test_import_views import WRITE
from mentora.people.tests.test_importer import as_csv, row


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what waits for the commit (the file's deletion), as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def upload(personas: Any, rows: list[dict[str, str]], name: str = "hr.csv") -> ImportRun:
    return services.import_upload(
        organisation=personas.organisation,
        uploaded=SimpleUploadedFile(name, as_csv(rows)),
        full=False,
        mapping={},
        actor=personas.org_admin,
    )


def stored(run: ImportRun) -> str:
    assert run.file and default_storage.exists(run.file.name)
    return run.file.name


def uploaded_days_ago(run: ImportRun, days: float) -> None:
    ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def test_applying_deletes_the_file_and_keeps_the_record(
    client_for: Any, personas: Any, on_commit: Any
) -> None:
    run = upload(personas, [row("N1"), row("N2", "N1")])
    name = stored(run)
    with on_commit():
        client_for(personas.org_admin).post(reverse("people_import_apply", args=["acme", run.pk]))
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and Person.objects.filter(employee_id="N2").exists()
    assert not run.file and not default_storage.exists(name)
    assert run.file_name == "hr.csv" and run.counts["created"] == 2
    page = client_for(personas.org_admin).get(reverse("people_import_run", args=["acme", run.pk]))
    assert "The uploaded file has been deleted" in page.content.decode()


def test_cancelling_deletes_the_file_and_the_import_can_no_longer_be_applied(
    client_for: Any, personas: Any, on_commit: Any
) -> None:
    run = upload(personas, [row("N1")])
    name = stored(run)
    client = client_for(personas.org_admin)
    page = client.get(reverse("people_import_run", args=["acme", run.pk])).content.decode()
    assert "Cancel this import" in page
    with on_commit():
        client.post(reverse("people_import_cancel", args=["acme", run.pk]))
    run.refresh_from_db()
    assert run.status == ImportStatus.CANCELLED and run.counts["created"] == 1
    assert not run.file and not default_storage.exists(name)
    entry = AuditEntry.objects.get(action="people.import.cancel")
    assert entry.actor == personas.org_admin and entry.changes["file"] == "hr.csv"
    refused = client.post(reverse("people_import_apply", args=["acme", run.pk]), follow=True)
    assert "Only a checked file without problems can be applied." in refused.content.decode()
    assert not Person.objects.filter(employee_id="N1").exists()


@pytest.mark.parametrize("who", PERSONAS)
def test_only_organisation_admins_cancel_an_import(
    client_for: Any, personas: Any, who: str
) -> None:
    run = upload(personas, [row("N1")])
    response = client_for(getattr(personas, who)).post(
        reverse("people_import_cancel", args=["acme", run.pk])
    )
    allowed = WRITE[who] == 200
    assert response.status_code == (302 if allowed else WRITE[who])
    run.refresh_from_db()
    assert (run.status == ImportStatus.CANCELLED) == allowed


def test_an_applied_import_cannot_be_cancelled(client_for: Any, personas: Any) -> None:
    run = upload(personas, [row("N1")])
    client = client_for(personas.org_admin)
    client.post(reverse("people_import_apply", args=["acme", run.pk]))
    page = client.post(reverse("people_import_cancel", args=["acme", run.pk]), follow=True)
    assert "can be cancelled" in page.content.decode()
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE


@pytest.mark.parametrize(
    ("rows", "status"),
    [([row("N1", "N404")], ImportStatus.INVALID), ([], ImportStatus.FAILED)],
    ids=["problems", "unreadable"],
)
def test_a_file_that_can_never_be_applied_is_deleted_once_checked(
    personas: Any, monkeypatch: Any, on_commit: Any, rows: list[dict[str, str]], status: str
) -> None:
    from mentora.people.tasks import preview_import

    monkeypatch.setattr(services, "INLINE_LIMIT_BYTES", 10)  # checked by the worker
    run = upload(personas, rows, name="hr.csv" if rows else "hr.xlsx")
    name = stored(run)
    with on_commit():
        assert preview_import.call(run.pk) == status
    run.refresh_from_db()
    assert not run.file and not default_storage.exists(name)


def test_the_daily_sweep_cancels_an_import_left_for_more_than_7_days(
    personas: Any, on_commit: Any, capsys: Any
) -> None:
    old, recent = upload(personas, [row("N1")]), upload(personas, [row("N2")])
    old_name, recent_name = stored(old), stored(recent)
    uploaded_days_ago(old, 8)
    uploaded_days_ago(recent, 1)
    with on_commit():
        call_command("sweep_import_files")
    assert "1 file(s) deleted, 1 expired" in capsys.readouterr().out
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == ImportStatus.CANCELLED and "within 7 days" in old.error
    assert not old.file and not default_storage.exists(old_name)
    assert old.counts["created"] == 1
    assert AuditEntry.objects.get(action="people.import.expire").object_id == str(old.pk)
    assert recent.status == ImportStatus.PREVIEWED and stored(recent) == recent_name


def test_the_sweep_fails_a_run_stuck_in_progress_and_the_worker_then_leaves_it(
    client_for: Any, personas: Any, monkeypatch: Any, on_commit: Any
) -> None:
    from mentora.people.tasks import preview_import

    monkeypatch.setattr(services, "INLINE_LIMIT_BYTES", 10)
    with on_commit():
        run = upload(personas, [row("N1")])
    assert run.status == ImportStatus.PENDING
    name = stored(run)
    uploaded_days_ago(run, 7.5)
    with on_commit():
        assert services.import_files_sweep() == {"deleted": 1, "expired": 1}
    assert preview_import.call(run.pk) == ImportStatus.FAILED
    run.refresh_from_db()
    assert not run.is_running and "Not finished within 7 days" in run.error
    assert not default_storage.exists(name)


def test_the_sweep_deletes_a_finished_imports_file_at_any_age(
    personas: Any, on_commit: Any
) -> None:
    run = upload(personas, [row("N1")])
    name = stored(run)
    # As a run finished before files were deleted at once would be.
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.DONE)
    with on_commit():
        assert services.import_files_sweep() == {"deleted": 1, "expired": 0}
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and not default_storage.exists(name)
    assert services.import_files_sweep() == {"deleted": 0, "expired": 0}


def test_applying_a_run_whose_file_has_gone_fails_with_the_reason(
    client_for: Any, personas: Any
) -> None:
    run = upload(personas, [row("N1")])
    default_storage.delete(stored(run))
    client_for(personas.org_admin).post(reverse("people_import_apply", args=["acme", run.pk]))
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and "no longer kept" in run.error
    assert not Person.objects.filter(employee_id="N1").exists()
