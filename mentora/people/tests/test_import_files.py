"""Uploads are bounded, and a file that cannot be read always ends its run as failed, with the
reason on its page and from the command line."""

from __future__ import annotations

import io
import random
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from mentora.people import services
from mentora.people.importer.rows import COLUMNS
from mentora.people.models import ImportRun, ImportStatus, Person
from mentora.people.tests.test_importer import as_csv, row

BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
EXTERNAL_ENTITY = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for r in rows:
        sheet.append([r[c] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewritten(data: bytes, member: str, change: Any) -> bytes:
    """The XLSX `data` with one of its XML parts changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = change(content.decode()).encode()
            target.writestr(info, content)
    return out.getvalue()


def with_doctype(doctype: str) -> Any:
    def change(xml: str) -> str:
        if xml.startswith("<?xml"):
            end = xml.index("?>") + 2
            return xml[:end] + doctype + xml[end:]
        return doctype + xml

    return change


def upload(client: Any, name: str, data: bytes) -> Any:
    return client.post(
        reverse("people_import", args=["acme"]), {"file": SimpleUploadedFile(name, data)}
    )


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


GOOD = [row("N1"), row("N2", "N1")]
RANDOM = random.Random(7).randbytes(4096)
BAD_FILES = {
    "billion laughs in the sheet": (
        "hr.xlsx",
        rewritten(xlsx(GOOD), "xl/worksheets/sheet1.xml", with_doctype(BILLION_LAUGHS)),
        "declares XML entities",
    ),
    "external entity in the workbook": (
        "hr.xlsx",
        rewritten(xlsx(GOOD), "xl/workbook.xml", with_doctype(EXTERNAL_ENTITY)),
        "declares XML entities",
    ),
    "entity in the styles": (
        "hr.xlsx",
        rewritten(xlsx(GOOD), "xl/styles.xml", with_doctype(BILLION_LAUGHS)),
        "declares XML entities",
    ),
    "random bytes": ("hr.csv", RANDOM, "holds NUL bytes"),
    "UTF-16 without a byte-order mark": (
        "hr.csv",
        as_csv(GOOD).decode().encode("utf-16-le"),
        "holds NUL bytes",
    ),
    "neither UTF-8 nor Windows-1252": (
        "hr.csv",
        b"employee_id,first_name,last_name\n1,\x81\x8d,\x8f\x90\n",
        "neither UTF-8 nor Windows-1252",
    ),
    "a zip that is not a workbook": (
        "hr.xlsx",
        zip_of({"notes.txt": b"hello"}),
        "not an XLSX workbook",
    ),
    "bytes that are not a zip": ("hr.xlsx", RANDOM, "not an XLSX workbook"),
    "a sheet the parser chokes on": (
        "hr.xlsx",
        rewritten(xlsx(GOOD), "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2]),
        "could not be read as XLSX",
    ),
    "a workbook without its parts": (
        "hr.xlsx",
        zip_of({"[Content_Types].xml": b"<Types/>"}),
        "could not be read as XLSX",
    ),
    "a workbook whose open sheet is missing": (
        "hr.xlsx",
        rewritten(
            xlsx(GOOD), "xl/workbook.xml", lambda xml: xml.replace('activeTab="0"', 'activeTab="5"')
        ),
        "no sheet of rows to read",
    ),
    "a CSV line the parser refuses": (
        "hr.csv",
        b"employee_id,first_name,last_name\n1,Ann," + b"x" * 200_000 + b"\n",
        "Line 2 cannot be read as CSV",
    ),
}


def test_openpyxl_reads_xml_through_defusedxml() -> None:
    import openpyxl
    from defusedxml import EntitiesForbidden

    assert openpyxl.DEFUSEDXML is True
    data = rewritten(xlsx(GOOD), "xl/workbook.xml", with_doctype(BILLION_LAUGHS))
    with pytest.raises(ValueError, match="invalid XML") as refused:
        openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert isinstance(refused.value.__cause__, EntitiesForbidden)


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_file_that_cannot_be_read_fails_its_run_with_the_reason(
    client_for: Any, personas: Any, case: str
) -> None:
    name, data, reason = BAD_FILES[case]
    client = client_for(personas.org_admin)
    upload(client, name, data)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert reason in run.error
    page = client.get(reverse("people_import_run", args=["acme", run.pk])).content.decode()
    assert "Failed" in page and reason in page and "Apply the import" not in page
    assert not Person.objects.filter(employee_id="N1").exists()


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_the_command_names_what_is_wrong_with_the_file(
    personas: Any, tmp_path: Any, case: str
) -> None:
    name, data, reason = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError, match=reason):
        call_command("import_people", str(path), organisation="acme", no_progress=True)


def test_a_bad_file_checked_by_the_worker_fails_too(
    client_for: Any, personas: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from mentora.people.tasks import preview_import

    monkeypatch.setattr(services, "INLINE_LIMIT_BYTES", 10)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(personas.org_admin), "hr.csv", RANDOM)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.PENDING
    assert preview_import.call(run.pk) == ImportStatus.FAILED
    run.refresh_from_db()
    assert not run.is_running and "NUL bytes" in run.error


def test_an_empty_file_is_refused_on_the_page_and_by_the_command(
    client_for: Any, personas: Any, tmp_path: Any
) -> None:
    response = upload(client_for(personas.org_admin), "hr.csv", b"")
    assert response.status_code == 400 and "empty" in response.content.decode()
    assert not ImportRun.objects.exists()
    for name in ("hr.csv", "hr.xlsx"):
        path = tmp_path / name
        path.write_bytes(b"")
        with pytest.raises(CommandError, match="The file is empty"):
            call_command("import_people", str(path), organisation="acme", no_progress=True)


def test_a_file_over_the_size_limit_is_refused_with_the_limit(
    client_for: Any, personas: Any, settings: Any, tmp_path: Any
) -> None:
    data = as_csv(GOOD)
    settings.PEOPLE_IMPORT_MAX_BYTES = len(data) - 1
    response = upload(client_for(personas.org_admin), "hr.csv", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert f"files of up to {len(data) - 1}" in page and "bytes" in page
    assert not ImportRun.objects.exists()
    path = tmp_path / "hr.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError, match=f"files of up to {len(data) - 1}"):
        call_command("import_people", str(path), organisation="acme", no_progress=True)
    settings.PEOPLE_IMPORT_MAX_BYTES = len(data)
    call_command("import_people", str(path), organisation="acme", no_progress=True)
    assert Person.objects.filter(employee_id="N2").exists()


def test_a_file_over_the_row_limit_is_refused_with_the_limit(
    client_for: Any, personas: Any, settings: Any, tmp_path: Any
) -> None:
    settings.PEOPLE_IMPORT_MAX_ROWS = 2
    client = client_for(personas.org_admin)
    for name, data in (("hr.csv", as_csv), ("hr.xlsx", xlsx)):
        upload(client, name, data([row("N1"), row("N2"), row("N3")]))
        run = ImportRun.objects.latest("pk")
        assert run.status == ImportStatus.FAILED
        assert "more than 2 rows" in run.error
        page = client.get(reverse("people_import_run", args=["acme", run.pk])).content.decode()
        assert "more than 2 rows" in page
    path = tmp_path / "hr.csv"
    path.write_bytes(as_csv([row("N1"), row("N2"), row("N3")]))
    with pytest.raises(CommandError, match="more than 2 rows"):
        call_command("import_people", str(path), organisation="acme", no_progress=True)
    path.write_bytes(as_csv([row("N1"), row("N2")]))
    call_command("import_people", str(path), organisation="acme", no_progress=True)
    assert Person.objects.filter(employee_id__in=["N1", "N2"]).count() == 2


def test_a_workbook_that_unpacks_far_beyond_the_limit_is_refused(
    client_for: Any, personas: Any, settings: Any
) -> None:
    data = xlsx([row(f"N{n}") for n in range(400)])
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    settings.PEOPLE_IMPORT_MAX_BYTES = unpacked // 10 - 1
    assert len(data) <= settings.PEOPLE_IMPORT_MAX_BYTES
    upload(client_for(personas.org_admin), "hr.xlsx", data)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and "unpacks to" in run.error


def test_an_unexpected_error_while_checking_fails_the_run(
    client_for: Any, personas: Any, monkeypatch: Any
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("a fault in Mentora")

    monkeypatch.setattr(services, "plan_import", broken)
    upload(client_for(personas.org_admin), "hr.csv", as_csv(GOOD))
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and "unexpected error" in run.error
    assert "a fault in Mentora" not in run.error


def test_an_unexpected_error_while_applying_fails_the_run_and_changes_nothing(
    client_for: Any, personas: Any, monkeypatch: Any
) -> None:
    client = client_for(personas.org_admin)
    upload(client, "hr.csv", as_csv(GOOD))
    run = ImportRun.objects.get()

    def broken(plan: Any, **kwargs: Any) -> Any:
        Person.objects.create(organisation=personas.organisation, employee_id="X", first_name="X")
        raise RuntimeError("a fault in Mentora")

    monkeypatch.setattr(services, "apply_plan", broken)
    client.post(reverse("people_import_apply", args=["acme", run.pk]))
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and "unexpected error" in run.error
    assert not Person.objects.filter(employee_id__in=["X", "N1"]).exists()
