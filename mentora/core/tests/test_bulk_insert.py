"""Many new rows at once (COPY on PostgreSQL, bulk_create elsewhere) from values by
field, with the defaults a new instance would have."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from mentora.core.bulk_insert import EncodedJSON, bulk_insert, bulk_insert_values
from mentora.core.models import AuditEntry

# What a block's error might quote from a participant's answers.
PRIVATE = "I want to leave my manager"


def _written() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__startswith="core.bulk.").order_by("action"))


def test_rows_of_values_get_the_defaults_of_the_fields_they_leave_out(personas: Any) -> None:
    before = timezone.now()
    bulk_insert_values(
        AuditEntry,
        [
            {
                "action": "core.bulk.one",
                "organisation_id": personas.organisation.pk,
                "changes": {"n": 1},
            },
            {"action": "core.bulk.two", "actor_id": personas.manager.pk},
        ],
    )
    one, two = _written()
    assert (one.organisation, one.actor, one.changes) == (personas.organisation, None, {"n": 1})
    assert (two.organisation, two.actor, two.changes) == (None, personas.manager, {})
    assert one.object_id == two.object_id == ""
    # A callable default (the time) is called for the rows, not left empty.
    assert before <= one.created_at <= timezone.now()
    assert before <= two.created_at <= timezone.now()


def test_values_write_the_row_that_saving_an_instance_writes(personas: Any) -> None:
    when = timezone.now()
    fields = {"created_at": when, "organisation_id": personas.organisation.pk, "changes": [1]}
    AuditEntry.objects.create(action="core.bulk.a", **fields)
    bulk_insert_values(AuditEntry, [{"action": "core.bulk.b", **fields}])
    a, b = _written()
    columns = ("created_at", "organisation_id", "changes", "actor_id", "actor_email", "object_id")
    assert [getattr(a, c) for c in columns] == [getattr(b, c) for c in columns]


def test_a_value_of_another_type_is_converted_by_its_field(personas: Any) -> None:
    bulk_insert_values(
        AuditEntry, [{"action": "core.bulk.one", "organisation_id": str(personas.organisation.pk)}]
    )
    (one,) = _written()
    assert one.organisation == personas.organisation


def test_a_field_the_model_lacks_is_refused_before_anything_is_written(personas: Any) -> None:
    with pytest.raises(ValueError, match="AuditEntry has no field organisation, whom"):
        bulk_insert_values(
            AuditEntry,
            [
                {"action": "core.bulk.one"},
                {"action": "core.bulk.two", "organisation": 1, "whom": 2},
            ],
        )
    assert _written() == []


def test_rows_given_in_pieces_are_all_written_after_the_work_between_them(personas: Any) -> None:
    with bulk_insert(AuditEntry) as add:
        add({"action": f"core.bulk.{n}"} for n in "ab")
        # Work of the block's own between the pieces, while the rows are being written.
        later = [f"core.bulk.{n}" for n in "cd"]
        add({"action": action} for action in later)
    assert [entry.action for entry in _written()] == [f"core.bulk.{n}" for n in "abcd"]


def test_a_failing_block_writes_no_row_and_its_message_stays_out_of_the_database(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What ends a copy on PostgreSQL goes to the database server's log.
    ended_with: list[BaseException | None] = []
    finish = psycopg.Copy.finish

    def spy(copy: psycopg.Copy, exc: BaseException | None = None) -> None:
        ended_with.append(exc)
        finish(copy, exc)

    monkeypatch.setattr(psycopg.Copy, "finish", spy)
    with pytest.raises(RuntimeError, match=PRIVATE):
        with bulk_insert(AuditEntry) as add:
            add([{"action": "core.bulk.one"}, {"action": "core.bulk.two"}])
            raise RuntimeError(PRIVATE)
    # The transaction around goes on: nothing was written, and the database still answers.
    assert _written() == []
    if connection.vendor == "postgresql":
        assert len(ended_with) == 1 and ended_with[0] is not None
        assert PRIVATE not in str(ended_with[0])


def test_json_already_encoded_is_written_as_the_value_it_encodes(personas: Any) -> None:
    bulk_insert_values(
        AuditEntry,
        [
            {"action": "core.bulk.one", "changes": EncodedJSON('{"n": [1, 2.5, "\\\\t"]}')},
            {"action": "core.bulk.two", "changes": '{"n": 1}'},
        ],
    )
    one, two = _written()
    assert one.changes == {"n": [1, 2.5, "\\t"]}
    # A plain string is a string, as the field would store it.
    assert two.changes == '{"n": 1}'
