"""The import pages and the exports, for every persona."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import PERSONAS
from mentora.core.models import AuditEntry
from mentora.people import services
from mentora.people.models import ImportRun, ImportStatus, Person
from mentora.people.tests.test_importer import as_csv, row

# Importing changes HR data: organisation admins only; programme managers may read it.
WRITE = {
    "admin": 200,
    "org_admin": 200,
    "outsider": 404,
    **dict.fromkeys(["manager", "sponsor", "mentor", "mentee", "line_manager"], 403),
}
READ = {**WRITE, "manager": 200}


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def run(personas: Any) -> ImportRun:
    return services.import_upload(
        organisation=personas.organisation,
        uploaded=upload("hr.csv", as_csv([row("N1")])),
        full=False,
        mapping={},
        actor=personas.org_admin,
    )


@pytest.mark.parametrize("who", PERSONAS)
def test_the_import_page_is_for_organisation_admins(
    client_for: Any, personas: Any, who: str
) -> None:
    response = client_for(getattr(personas, who)).get(reverse("people_import", args=["acme"]))
    assert response.status_code == WRITE[who]


@pytest.mark.parametrize("who", PERSONAS)
def test_an_import_run_is_for_organisation_admins(
    client_for: Any, personas: Any, run: ImportRun, who: str
) -> None:
    url = reverse("people_import_run", args=["acme", run.pk])
    assert client_for(getattr(personas, who)).get(url).status_code == WRITE[who]


@pytest.mark.parametrize("who", PERSONAS)
def test_only_organisation_admins_apply_an_import(
    client_for: Any, personas: Any, run: ImportRun, who: str
) -> None:
    url = reverse("people_import_apply", args=["acme", run.pk])
    response = client_for(getattr(personas, who)).post(url)
    expected = 302 if WRITE[who] == 200 else WRITE[who]
    assert response.status_code == expected
    assert Person.objects.filter(employee_id="N1").exists() == (expected == 302)


@pytest.mark.parametrize("who", PERSONAS)
def test_uploading_is_for_organisation_admins(client_for: Any, personas: Any, who: str) -> None:
    response = client_for(getattr(personas, who)).post(
        reverse("people_import", args=["acme"]), {"file": upload("hr.csv", as_csv([row("N1")]))}
    )
    assert response.status_code == (302 if WRITE[who] == 200 else WRITE[who])
    assert ImportRun.objects.exists() == (WRITE[who] == 200)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("who", PERSONAS)
def test_exports_follow_the_directory_rules(
    client_for: Any, personas: Any, who: str, fmt: str
) -> None:
    response = client_for(getattr(personas, who)).get(reverse("people_export", args=["acme", fmt]))
    assert response.status_code == READ[who]


def test_a_run_of_another_organisation_is_not_found(
    client_for: Any, personas: Any, run: ImportRun
) -> None:
    from mentora.accounts.models import Membership

    Membership.objects.filter(user=personas.outsider).update(role="org_admin")
    url = reverse("people_import_run", args=["other", run.pk])
    assert client_for(personas.outsider).get(url).status_code == 404


def test_uploading_a_file_with_problems_shows_every_problem(client_for: Any, personas: Any) -> None:
    client = client_for(personas.org_admin)
    response = client.post(
        reverse("people_import", args=["acme"]),
        {
            "file": upload(
                "hr.csv", as_csv([row("N1"), row("N2", "N404"), row("N3", hire_date="x")])
            )
        },
        follow=True,
    )
    page = response.content.decode()
    assert "2 problems to fix" in page
    assert "N404" in page and "Unknown manager" in page
    assert "Not a date" in page
    assert "Apply the import" not in page
    assert not Person.objects.filter(employee_id="N1").exists()


def test_a_clean_upload_previews_then_applies_and_is_audited(
    client_for: Any, personas: Any
) -> None:
    client = client_for(personas.org_admin)
    response = client.post(
        reverse("people_import", args=["acme"]),
        {"file": upload("hr.csv", as_csv([row("N1"), row("N2", "N1")])), "mapping": ""},
        follow=True,
    )
    assert "2 people created" in response.content.decode()
    assert not Person.objects.filter(employee_id="N1").exists()
    run = ImportRun.objects.get()
    done = client.post(reverse("people_import_apply", args=["acme", run.pk]), follow=True)
    assert "See the people" in done.content.decode()
    assert Person.objects.get(employee_id="N2").manager.employee_id == "N1"
    entry = AuditEntry.objects.get(action="people.import.apply")
    assert entry.actor == personas.org_admin and entry.changes["counts"]["created"] == 2


def test_the_mapping_typed_in_the_form_is_saved_and_offered_next_time(
    client_for: Any, personas: Any
) -> None:
    client = client_for(personas.org_admin)
    client.post(
        reverse("people_import", args=["acme"]),
        {
            "file": upload("hr.csv", b"ID,First,Last\nA1,Anna,Jensen\n"),
            "mapping": "ID=employee_id\nFirst=first_name\nLast=last_name",
        },
    )
    assert ImportRun.objects.get().status == ImportStatus.PREVIEWED
    page = client.get(reverse("people_import", args=["acme"])).content.decode()
    assert "ID=employee_id" in page


def test_a_large_file_is_checked_by_the_worker_with_progress(
    client_for: Any, personas: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from mentora.people.tasks import preview_import

    monkeypatch.setattr(services, "INLINE_LIMIT_BYTES", 10)
    client = client_for(personas.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("people_import", args=["acme"]), {"file": upload("hr.csv", as_csv([row("N1")]))}
        )
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.PENDING
    assert DBTaskResult.objects.get().task_path == "mentora.people.tasks.preview_import"
    url = reverse("people_import_run", args=["acme", run.pk])
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert 'id="import-progress"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    preview_import.call(run.pk)
    finished = client.get(url, headers={"HX-Request": "true"})
    assert finished.headers["HX-Refresh"] == "true"
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED and run.counts["created"] == 1


def test_the_export_hides_gender_unless_the_viewer_is_trusted(
    client_for: Any, personas: Any
) -> None:
    from mentora.accounts.models import Membership

    def gender_column(user: Any) -> list[str]:
        response = client_for(user).get(reverse("people_export", args=["acme", "csv"]))
        content = b"".join(response.streaming_content).decode()
        return [r["gender"] for r in csv.DictReader(io.StringIO(content))]

    assert "female" not in gender_column(personas.manager)
    Membership.objects.filter(user=personas.manager).update(sees_sensitive_attributes=True)
    assert "female" in gender_column(personas.manager)


def test_an_unknown_export_format_is_not_found(client_for: Any, personas: Any) -> None:
    response = client_for(personas.org_admin).get("/org/acme/people/export.pdf")
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_progress_of_applying_is_visible_while_the_import_is_still_running(
    monkeypatch: Any,
) -> None:
    from django.db import DEFAULT_DB_ALIAS, connection, connections

    from conftest import make_personas

    if connection.vendor != "postgresql":
        pytest.skip("SQLite allows one writer at a time; the bar shows the stage only there")
    personas = make_personas()
    run = services.import_upload(
        organisation=personas.organisation,
        uploaded=upload("hr.csv", as_csv([row(f"N{n}") for n in range(300)])),
        full=False,
        mapping={},
        actor=personas.org_admin,
    )
    seen: list[float] = []
    original = services.apply_plan

    def watching(plan: Any, *, progress: Any) -> Any:
        def report(stage: str, fraction: float) -> None:
            progress(stage, fraction)
            # What the web page reads: another connection, outside the import's transaction.
            observer = connections.create_connection(DEFAULT_DB_ALIAS)
            try:
                with observer.cursor() as cursor:
                    cursor.execute("SELECT progress FROM people_importrun WHERE id = %s", [run.pk])
                    seen.append(cursor.fetchone()[0])
            finally:
                observer.close()

        return original(plan, progress=report)

    monkeypatch.setattr(services, "apply_plan", watching)
    services.import_apply_start(run=run, actor=personas.org_admin)
    assert Person.objects.filter(organisation=personas.organisation, employee_id="N299").exists()
    assert max(seen) > 0
