"""The backup procedure of docs/deployment.md, run for real on PostgreSQL: dump the
database with pg_dump, restore it into an empty database with pg_restore, and find every
row and every private text back, readable by its pair and only through the pages. The
dump itself holds no private text in clear: they are encrypted at rest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import connection

from conftest import REPO, database_url
from mentora.relationships.models import Meeting
from tests.world import build_world

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the procedure is PostgreSQL's pg_dump"
    ),
]

READ_BACK = """
import os, django
django.setup()
from django.test import Client
from mentora.accounts.models import User
from mentora.relationships.models import Meeting
meeting = Meeting.objects.get(pk=int(os.environ["MEETING"]))
member = Client()
member.force_login(User.objects.get(pk=meeting.pair.mentor.user_id))
print(member.get(f"/meetings/{meeting.pk}/").content.decode())
"""


def _counts(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn) as db:
        return {
            model._meta.db_table: db.execute(
                f'SELECT count(*) FROM "{model._meta.db_table}"'  # noqa: S608 - model tables
            ).fetchone()[0]
            for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy
        }


@pytest.mark.django_db(transaction=True)
def test_a_dump_restored_into_an_empty_database_has_every_row_and_private_text(
    tmp_path: Path,
) -> None:
    world = build_world()
    meeting = Meeting.objects.exclude(notes="").select_related("pair").first()
    assert meeting is not None
    source = database_url()
    restored_name = f"{connection.settings_dict['NAME']}_restored"
    restored = source.rsplit("/", 1)[0] + f"/{restored_name}"
    dump = tmp_path / "mentora.dump"
    admin = source.rsplit("/", 1)[0] + "/postgres"

    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", f"--dbname={source}"], check=True
    )
    # The dump as SQL text: what is stored in clear (a programme's name) is there, the
    # private texts are not.
    sql = subprocess.run(
        ["pg_restore", "--file=-", str(dump)], check=True, capture_output=True, text=True
    ).stdout
    assert world.programme.name in sql and "enc1:" in sql
    assert [marker.what for marker in world.markers if marker.token in sql] == []
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        db.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)],
            check=True,
        )
        assert _counts(restored) == _counts(source)
        page = subprocess.run(
            [sys.executable, "-c", READ_BACK],
            cwd=REPO,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "MENTORA_TESTING": "1",
                "ALLOWED_HOSTS": "testserver",
                "DATABASE_URL": restored,
                "MEETING": str(meeting.pk),
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        assert meeting.notes in page
        # Restored, the texts are still ciphertext in the database.
        with psycopg.connect(restored) as db:
            notes = db.execute(
                "SELECT notes FROM relationships_meeting WHERE id = %s", [meeting.pk]
            ).fetchone()[0]
        assert notes.startswith("enc1:") and meeting.notes not in notes
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
