"""Insert many new rows of one model at once, as fast as the database allows.

On PostgreSQL the rows go through `COPY ... FROM STDIN`, which for the thousands of
proposals of a large matching round (each with its explanation and its contributions as
JSON) is about three times as fast as `bulk_create`'s INSERT. Elsewhere it is
`bulk_create`. Either way no signal is sent and the rows get no primary key back: callers
that need them read them back.

Rows come as values by field, which spares making thousands of model instances only to
read their fields again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router


def bulk_insert_values(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` of `model`, each a dict of values by field attribute name
    (``mentee_id``, not ``mentee``), in the current transaction. A field a row leaves out
    gets its default, as a new instance would; an unknown name is refused."""
    if not rows:
        return
    using = router.db_for_write(model)
    connection = connections[using]
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
    ]
    unknown = sorted({name for row in rows for name in row} - {f.attname for f in fields})
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(unknown)}")
    if connection.vendor != "postgresql":
        model._default_manager.using(using).bulk_create(
            [model(**row) for row in rows], batch_size=2000
        )
        return
    # What a field left out holds, as a new instance would have it: worked out once,
    # unless it differs from row to row (a callable default, a date set on saving).
    blank = model()
    left_out: dict[str, Any] = {
        field.attname: field.get_db_prep_save(field.pre_save(blank, add=True), connection)
        for field in fields
        if not (field.has_default() and callable(field.default))
        and not getattr(field, "auto_now_add", False)
    }

    def prepared(row: dict[str, Any]) -> list[Any]:
        values = []
        for field in fields:
            if field.attname in row:
                values.append(field.get_db_prep_save(row[field.attname], connection))
            elif field.attname in left_out:
                values.append(left_out[field.attname])
            else:
                values.append(field.get_db_prep_save(field.pre_save(model(), add=True), connection))
        return values

    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(prepared(row))
