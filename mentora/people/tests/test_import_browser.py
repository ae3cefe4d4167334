"""In Chromium: upload a file with errors, read them, upload the fixed file, see the people."""

from __future__ import annotations

from typing import Any

from conftest import BROWSER_TEST, log_in, make_personas
from mentora.people.tests.test_importer import as_csv, row

pytestmark = BROWSER_TEST


def test_a_manager_fixes_a_rejected_file_and_sees_the_people(live_server: Any, page: Any) -> None:
    personas = make_personas()
    log_in(page, live_server.url, personas.org_admin.email)
    page.goto(f"{live_server.url}/org/acme/people/import/")

    broken = [
        row("N1"),
        row("N2", "N1", last_name="Broken"),
        row("N3", "N9", hire_date="31.13.2020"),
    ]
    page.get_by_label("HR export (CSV or XLSX)").set_input_files(
        {"name": "hr.csv", "mimeType": "text/csv", "buffer": as_csv(broken)}
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="2 problems to fix").wait_for()
    table = page.get_by_role("table").inner_text()
    assert "N9" in table and "Unknown manager" in table
    assert "31.13.2020" in table and "Not a date" in table
    assert page.get_by_role("button", name="Apply the import").count() == 0

    page.get_by_role("link", name="Upload a corrected file").click()
    fixed = [row("N1"), row("N2", "N1", last_name="Fixed"), row("N3", "N1", hire_date="2020-12-31")]
    page.get_by_label("HR export (CSV or XLSX)").set_input_files(
        {"name": "hr.csv", "mimeType": "text/csv", "buffer": as_csv(fixed)}
    )
    page.get_by_role("button", name="Check the file").click()
    assert page.get_by_text("3 people created").is_visible()
    page.get_by_role("button", name="Apply the import").click()
    page.get_by_role("link", name="See the people").click()
    assert page.get_by_role("link", name="FirstN2 Fixed").is_visible()
    page.get_by_role("link", name="FirstN3 LastN3").click()
    assert page.get_by_role("heading", name="Management chain").is_visible()
    assert page.get_by_role("link", name="FirstN1 LastN1").is_visible()
