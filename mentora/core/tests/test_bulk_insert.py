"""Many new rows at once (COPY on PostgreSQL, bulk_create elsewhere) from values by
field, with the defaults a new instance would have."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from mentora.core.bulk_insert import bulk_insert_values
from mentora.core.models import AuditEntry


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
