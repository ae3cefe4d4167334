"""A backup made after an erasure holds nothing that identifies the erased person: not
their name, e-mail address or employee id, in any table, the audit log included."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection

from mentora.subject_requests.services import person_erase
from tests.world import ERASED_EMAIL, ERASED_EMPLOYEE_ID, ERASED_NAME, build_world

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _identifying(text: str, name: str, email: str, employee_id: str) -> list[str]:
    found = []
    if name in text or name.split()[-1] in text:
        found.append(name)
    if email.lower() in text.lower():
        found.append(email)
    if re.search(rf"(?<![\w-]){re.escape(employee_id)}(?![\w-])", text):
        found.append(employee_id)
    return found


def _pg_dump() -> str:
    settings = connection.settings_dict
    command = ["pg_dump", "--data-only", "--no-owner", "-d", settings["NAME"]]
    command += ["-h", settings.get("HOST") or "127.0.0.1", "-p", str(settings.get("PORT") or 5432)]
    if settings.get("USER"):
        command += ["-U", settings["USER"]]
    env = {"PGPASSWORD": settings.get("PASSWORD") or ""}
    result = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return result.stdout


def test_a_backup_made_after_an_erasure_holds_none_of_it() -> None:
    world = build_world()
    # The world erased Erna; Jo, who wrote in every part of the product, goes too.
    jo = world.personas.people["junior"]
    person_erase(person_id=jo.pk, actor=world.personas.org_admin)
    erased = [
        (ERASED_NAME, ERASED_EMAIL, ERASED_EMPLOYEE_ID),
        ("Jo Junior", world.personas.mentee.email, "E3"),
    ]
    dumped = io.StringIO()
    call_command("dumpdata", "--natural-foreign", stdout=dumped)
    backups = {"dumpdata": dumped.getvalue()}
    if connection.vendor == "postgresql":
        backups["pg_dump"] = _pg_dump()
    found = [
        f"{kind}: {what}"
        for kind, text in backups.items()
        for name, email, employee_id in erased
        for what in _identifying(text, name, email, employee_id)
    ]
    assert found == []
    # The backups hold the rest of the world: the guard looks at real data.
    for text in backups.values():
        assert world.personas.mentor.email in text
        assert f"erased-{jo.pk}" in text
