"""Re-encrypting every private text under the newest key, a batch at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models.functions import Cast

from mentora.core import crypto
from mentora.core.fields import EncryptedTextField, encrypted_fields


@dataclass
class ColumnProgress:
    label: str
    rewritten: int = 0
    # Rows another transaction held locked; a later run takes them.
    skipped: int = 0


def column_label(model: type[models.Model], field: EncryptedTextField) -> str:
    return f"{model._meta.label}.{field.name}"


def stale_rows(model: type[models.Model], field: EncryptedTextField) -> models.QuerySet:
    """Rows of `field` not yet under the newest key, found by the stored prefix alone (the
    column read as plain text), so nothing is decrypted to find them."""
    prefix = crypto.keyring().current_prefix
    return (
        model._base_manager.annotate(_stored=Cast(field.name, models.TextField()))
        .exclude(**{field.name: ""})
        .exclude(_stored__startswith=prefix)
        .order_by("pk")
    )


def rotate_column(
    model: type[models.Model],
    field: EncryptedTextField,
    *,
    batch_size: int = 500,
    on_batch: Callable[[ColumnProgress], None] | None = None,
) -> ColumnProgress:
    """Re-encrypt one column under the newest key: one transaction per batch of at most
    `batch_size` rows, locked (skipping rows others hold) on databases that can, so it
    runs beside the live site. Interrupted, it loses at most the batch in flight, and a
    new run carries on: rows already under the newest key are never selected again."""
    progress = ColumnProgress(column_label(model, field))
    last = 0
    while True:
        with transaction.atomic():
            rows = stale_rows(model, field).filter(pk__gt=last)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True, of=("self",))
            batch = list(rows.values_list("pk", "_stored")[:batch_size])
            if not batch:
                break
            for pk, stored in batch:
                text = crypto.decrypt(stored)
                # The field encrypts on the way in, always under the newest key.
                model._base_manager.filter(pk=pk).update(**{field.name: text})
            progress.rewritten += len(batch)
            last = batch[-1][0]
        if on_batch is not None:
            on_batch(progress)
    # Whatever is still stale was locked by someone else while this run went past it.
    progress.skipped = stale_rows(model, field).count()
    return progress


def rotate_all(
    *, batch_size: int = 500, on_batch: Callable[[ColumnProgress], None] | None = None
) -> list[ColumnProgress]:
    """Every encrypted column of every installed app, moved to the newest key."""
    return [
        rotate_column(model, field, batch_size=batch_size, on_batch=on_batch)
        for model, field in encrypted_fields()
    ]
