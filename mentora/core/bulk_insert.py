"""Insert many new rows of one model at once, as fast as the database allows.

On PostgreSQL the rows go through `COPY ... FROM STDIN`, which for the thousands of
proposals of a large matching round (each with its explanation and its contributions as
JSON) is about three times as fast as `bulk_create`'s INSERT. Elsewhere it is
`bulk_create`. Either way no signal is sent and the rows get no primary key back: callers
that need them read them back.

Rows come as values by field, which spares making thousands of model instances only to
read their fields again. `bulk_insert` takes them as they are made, and on PostgreSQL a
writer thread sends them while the next are prepared; the database takes them in while the
block goes on with other work, so a round checks its result while its proposals are
written. All rows are written, or none.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.db import connections, models, router, transaction
from psycopg.copy import QueuedLibpqWriter

Rows = Iterable[Mapping[str, Any]]

# The values of plain types that the database driver writes as these fields would: their
# `get_db_prep_save` only checks the type, which thousands of rows need not pay for.
_INTEGERS = (int,)
_PLAIN: dict[type[models.Field], tuple[type, ...]] = {
    models.BigIntegerField: _INTEGERS,
    models.IntegerField: _INTEGERS,
    models.PositiveIntegerField: _INTEGERS,
    models.PositiveSmallIntegerField: _INTEGERS,
    models.SmallIntegerField: _INTEGERS,
    models.AutoField: _INTEGERS,
    models.BigAutoField: _INTEGERS,
    models.FloatField: (float, int),
    models.BooleanField: (bool,),
    models.CharField: (str,),
    models.TextField: (str,),
}


class EncodedJSON(str):
    """The value of a JSON field, already encoded: rows that share parts of their JSON can
    encode each part once."""


class _RowsAbandoned(Exception):
    """What ends a copy whose block failed: a message without the block's error, which
    may quote what a participant wrote and would otherwise reach the database's log."""


def bulk_insert_values(model: type[models.Model], rows: Rows) -> None:
    """Insert `rows` of `model`, each a dict of values by field attribute name
    (``mentee_id``, not ``mentee``). A field a row leaves out gets its default, as a new
    instance would; an unknown name is refused, and then no row is written."""
    with bulk_insert(model) as add:
        add(rows)


@contextlib.contextmanager
def bulk_insert(model: type[models.Model]) -> Iterator[Callable[[Rows], None]]:
    """A function that inserts rows of `model` (as `bulk_insert_values` takes them) as they
    are given, for the block's length. The block may go on with other work while the
    database takes them in, but must not use the database itself; its end waits until
    every row is in. If the block fails, no row is written."""
    using = router.db_for_write(model)
    connection = connections[using]
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
    ]
    names = {field.attname for field in fields}
    with transaction.atomic(using=using):
        if connection.vendor != "postgresql":
            instances: list[models.Model] = []
            yield lambda rows: instances.extend(
                model(**_decoded(_known(model, names, row))) for row in rows
            )
            model._default_manager.using(using).bulk_create(instances, batch_size=2000)
            return
        prepared = _preparer(model, fields, names, connection)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        failure: BaseException | None = None
        with connection.cursor() as cursor:
            raw: Any = cursor.cursor
            try:
                with raw.copy(
                    f"COPY {table} ({columns}) FROM STDIN", writer=QueuedLibpqWriter(raw)
                ) as copy:

                    def add(rows: Rows) -> None:
                        for row in rows:
                            copy.write_row(prepared(row))

                    try:
                        yield add
                    except BaseException as error:
                        failure = error
                        raise _RowsAbandoned from None
            except _RowsAbandoned:
                assert failure is not None
                raise failure from None


def _known(model: type[models.Model], names: set[str], row: Mapping[str, Any]) -> Mapping[str, Any]:
    if row.keys() <= names:
        return row
    unknown = sorted(row.keys() - names)
    raise ValueError(f"{model.__name__} has no field {', '.join(unknown)}")


def _decoded(row: Mapping[str, Any]) -> Mapping[str, Any]:
    """The row with its encoded JSON values decoded, as a model instance takes them."""
    if not any(type(value) is EncodedJSON for value in row.values()):
        return row
    return {
        name: json.loads(value) if type(value) is EncodedJSON else value
        for name, value in row.items()
    }


def _preparer(
    model: type[models.Model], fields: Sequence[models.Field], names: set[str], connection: Any
) -> Callable[[Mapping[str, Any]], list[Any]]:
    """The values of a row, in the order of `fields` (whose attribute names are `names`), as
    the database takes them."""
    blank = model()
    # What a field left out holds, as a new instance would have it: worked out once,
    # unless it differs from row to row (a callable default, a date set on saving).
    left_out: dict[str, Any] = {
        field.attname: field.get_db_prep_save(field.pre_save(blank, add=True), connection)
        for field in fields
        if not (field.has_default() and callable(field.default))
        and not getattr(field, "auto_now_add", False)
    }
    steps = [(field.attname, field, _plain_types(field)) for field in fields]

    def prepared(row: Mapping[str, Any]) -> list[Any]:
        _known(model, names, row)
        values = []
        for name, field, plain in steps:
            if name in row:
                value = row[name]
                if not (plain and (value is None or type(value) in plain)):
                    value = field.get_db_prep_save(value, connection)
                values.append(value)
            elif name in left_out:
                values.append(left_out[name])
            else:
                values.append(field.get_db_prep_save(field.pre_save(model(), add=True), connection))
        return values

    return prepared


def _plain_types(field: models.Field) -> tuple[type, ...]:
    """The types of value that `field` would write unchanged (by exact type: a subclass of
    a field, such as an encrypted text, may change what it is given)."""
    if type(field) is models.ForeignKey:
        return _plain_types(field.target_field)
    if type(field) is models.JSONField:
        # Written as the text it is, which the database reads as JSON.
        return (EncodedJSON,)
    return _PLAIN.get(type(field), ())
