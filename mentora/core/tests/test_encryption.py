"""Private texts are encrypted at rest: every marker of the world, written through the real
services, is absent from the database file, and reads back in clear through the app; keys
rotate, an unknown key or an altered text is refused, and staff tooling never shows them."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.contrib import admin
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from mentora.core import crypto
from mentora.core.fields import EncryptedTextField, encrypted_fields
from mentora.core.models import AuditEntry
from mentora.core.rotation import ColumnProgress, rotate_all
from mentora.relationships.models import Meeting
from tests.world import World, build_world

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def stored(model: Any, field: str, pk: int) -> str:
    """The column as the database holds it, past the field's decryption."""
    table, column = model._meta.db_table, model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def every_text() -> dict[tuple[str, str, int], str]:
    """Every non-empty encrypted text of the database, read through the app."""
    return {
        (model._meta.label, field.name, pk): text
        for model, field in encrypted_fields()
        for pk, text in model._base_manager.exclude(**{field.name: ""}).values_list(
            "pk", field.name
        )
    }


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads the SQLite file itself")
@pytest.mark.django_db(transaction=True)
def test_no_private_text_of_the_world_is_in_the_database_file_in_clear() -> None:
    world = build_world()
    connection.close()  # The transactions are committed; the file and its WAL hold them.
    name = Path(connection.settings_dict["NAME"])
    raw = b"".join(path.read_bytes() for path in (name, Path(f"{name}-wal")) if path.exists())
    # The file is read as it is: what is stored in clear (a programme's name) is found.
    assert world.programme.name.encode() in raw
    assert b"Keep our graduates." in raw
    leaked = [marker.what for marker in world.markers if marker.token.encode() in raw]
    assert leaked == []
    # ...and every one of them reads back in clear through the app.
    texts = " ".join(every_text().values())
    assert [m.what for m in world.markers if m.token not in texts] == []


def test_every_private_text_is_stored_as_ciphertext_and_empty_stays_empty(world: World) -> None:
    labels = {f"{model._meta.label}.{field.name}" for model, field in encrypted_fields()}
    # The inventory: everything `tests/world.py` marks as private is one of these columns.
    assert {
        "relationships.Pair.end_reason",
        "relationships.Agreement.learning_goals",
        "relationships.Agreement.ways_of_working",
        "relationships.Agreement.after_end",
        "relationships.Meeting.agenda",
        "relationships.Meeting.notes",
        "relationships.Meeting.follow_up",
        "relationships.Meeting.mentee_reflection",
        "relationships.Meeting.mentor_reflection",
        "relationships.Goal.description",
        "relationships.FollowUp.note",
        "relationships.Closure.mentee_reflection",
        "relationships.Closure.mentor_reflection",
        "relationships.Closure.mentee_thanks",
        "relationships.Closure.mentor_thanks",
        "relationships.Story.title",
        "relationships.Story.text",
        "relationships.Feedback.text",
        "rounds.Introduction.decline_reason",
        "surveys.Answer.text",
    } <= labels
    prefix = crypto.keyring().current_prefix
    for (label, name, pk), text in every_text().items():
        model = next(m for m, f in encrypted_fields() if m._meta.label == label)
        raw = stored(model, name, pk)
        assert raw.startswith(prefix) and text not in raw
    coming = Meeting.objects.filter(mentee_reflection="").first()
    assert coming is not None
    assert stored(Meeting, "mentee_reflection", coming.pk) == ""


def test_the_database_cannot_be_asked_about_the_text_itself(world: World) -> None:
    assert Meeting.objects.exclude(notes="").count() == 4
    with pytest.raises(FieldError):
        list(Meeting.objects.filter(notes__icontains="wrote"))
    with pytest.raises(FieldError, match="only be compared with the empty text"):
        list(Meeting.objects.filter(notes="anything"))


def test_a_text_under_an_unknown_key_is_refused_never_garbled(world: World, settings: Any) -> None:
    settings.MENTORA_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(crypto.EncryptionError, match="not among the configured keys"):
        list(Meeting.objects.exclude(notes="").values_list("notes", flat=True))


def test_an_altered_text_is_refused(world: World) -> None:
    meeting = Meeting.objects.exclude(notes="").first()
    assert meeting is not None
    raw = stored(Meeting, "notes", meeting.pk)
    # One character of the token changed, the key id left as it was.
    altered = raw[:-6] + ("A" if raw[-6] != "A" else "B") + raw[-5:]
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "relationships_meeting" SET "notes" = %s WHERE id = %s', [altered, meeting.pk]
        )
        cursor.execute(
            'UPDATE "relationships_meeting" SET "agenda" = %s WHERE id = %s',
            ["written behind Mentora's back", meeting.pk],
        )
    with pytest.raises(crypto.EncryptionError, match="failed its authenticity check"):
        Meeting.objects.only("notes").get(pk=meeting.pk)
    with pytest.raises(crypto.EncryptionError, match="not encrypted"):
        Meeting.objects.only("agenda").get(pk=meeting.pk)


def test_rotation_moves_every_text_to_the_new_key_and_the_old_key_can_go(
    db: None, settings: Any, capsys: Any
) -> None:
    settings.MENTORA_ENCRYPTION_KEYS = [OLD]
    build_world()
    before = every_text()
    settings.MENTORA_ENCRYPTION_KEYS = [NEW, OLD]
    call_command("rotate_encryption_key", "--batch-size", "3")
    out = capsys.readouterr().out
    assert "relationships.Meeting.notes: 4 re-encrypted" in out
    assert "surveys.Answer.text: 2 re-encrypted" in out
    assert f"{len(before)} texts re-encrypted; every text is under the newest key." in out

    settings.MENTORA_ENCRYPTION_KEYS = [NEW]
    assert every_text() == before
    # Run again, there is nothing left to do.
    call_command("rotate_encryption_key")
    assert "0 texts re-encrypted" in capsys.readouterr().out


def test_an_interrupted_rotation_carries_on_where_it_stopped(
    db: None, settings: Any, capsys: Any
) -> None:
    settings.MENTORA_ENCRYPTION_KEYS = [OLD]
    build_world()
    before = every_text()
    settings.MENTORA_ENCRYPTION_KEYS = [NEW, OLD]

    def stop(progress: ColumnProgress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate_all(batch_size=2, on_batch=stop)
    new = crypto.key_id(NEW)
    moved = [key for key in before if f":{new}:" in stored_of(key)]
    # The first batch was committed, the rest is still under the old key.
    assert 1 <= len(moved) <= 2 < len(before)

    columns = rotate_all(batch_size=2)
    assert sum(column.rewritten for column in columns) == len(before) - len(moved)
    settings.MENTORA_ENCRYPTION_KEYS = [NEW]
    assert every_text() == before


def stored_of(key: tuple[str, str, int]) -> str:
    label, name, pk = key
    model = next(m for m, _f in encrypted_fields() if m._meta.label == label)
    return stored(model, name, pk)


def test_a_development_key_file_is_made_once_and_kept_private(
    settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    settings.MENTORA_ENCRYPTION_KEYS = []
    settings.MENTORA_ENCRYPTION_KEY_FILE = ""
    settings.MENTORA_ENCRYPTION_KEY_AUTOCREATE = True
    first = crypto.keyring().newest_id
    key_file = tmp_path / crypto.DEVELOPMENT_KEY_FILE
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    crypto.keyring.cache_clear()
    assert crypto.keyring().newest_id == first

    settings.MENTORA_ENCRYPTION_KEY_AUTOCREATE = False
    with pytest.raises(ImproperlyConfigured, match="No encryption key is configured"):
        crypto.keyring()


def test_a_key_file_lists_keys_newest_first(settings: Any, tmp_path: Path) -> None:
    key_file = tmp_path / "keys"
    key_file.write_text(f"# rotated in May\n{NEW}\n\n{OLD}\n")
    settings.MENTORA_ENCRYPTION_KEYS = []
    settings.MENTORA_ENCRYPTION_KEY_FILE = str(key_file)
    assert [kid for kid, _f in crypto.keyring().keys] == [crypto.key_id(NEW), crypto.key_id(OLD)]
    key_file.write_text("not-a-key\n")
    settings.MENTORA_ENCRYPTION_KEY_FILE = str(key_file)
    with pytest.raises(ImproperlyConfigured, match="not a Fernet key"):
        crypto.keyring()


def test_the_audit_log_never_holds_a_private_text(world: World) -> None:
    entries = json.dumps(
        list(AuditEntry.objects.values("action", "object_id", "changes")), default=str
    )
    assert AuditEntry.objects.filter(action__startswith="relationships.").exists()
    assert [m.what for m in world.markers if m.token in entries] == []


def test_djangos_admin_never_shows_a_private_text(world: World) -> None:
    encrypted = {model for model, _field in encrypted_fields()}
    for model, model_admin in admin.site._registry.items():
        # A model with private text is never registered, or its admin excludes that text.
        if model in encrypted:
            request = RequestFactory().get("/admin/")
            request.user = world.personas.admin
            shown = [
                name
                for entry in model_admin.get_fields(request)
                for name in ([entry] if isinstance(entry, str) else entry)
            ]
            assert not any(
                isinstance(model._meta.get_field(name), EncryptedTextField) for name in shown
            )
    staff = Client()
    staff.force_login(world.personas.admin)
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        for obj in model._default_manager.all()[:20]:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    seen = ""
    for page in pages:
        response = staff.get(page)
        assert response.status_code == 200, page
        seen += response.content.decode()
    assert [m.what for m in world.markers if m.token in seen] == []
