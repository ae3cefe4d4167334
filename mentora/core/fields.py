"""Model fields of Mentora's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact

from mentora.core import crypto


class EncryptedTextField(models.TextField):
    """Text that is stored encrypted (see `crypto.py`) and read back in clear.

    An empty text stays empty in the database, so "has notes" remains a query
    (`exclude(notes="")`); the only lookups are `=""` and `isnull`. Everything else about
    the text (searching, sorting, its length) cannot be asked of the database, and no
    page does. A `max_length` is checked by forms only, as the ciphertext is longer."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        if value is None or value == "" or hasattr(value, "as_sql"):
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"exact", "isnull"}:
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None


@EncryptedTextField.register_lookup
class EncryptedExact(Exact):
    """Only "is it empty?": the same text encrypts differently each time, so comparing
    with anything else would silently find nothing."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "" and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError("An encrypted text can only be compared with the empty text.")
        return super().get_prep_lookup()


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every encrypted column of the installed apps."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField)
    ]


def encrypt_existing(columns: dict[str, list[str]]) -> tuple[Callable[..., None], ...]:
    """The two halves of a data migration that encrypts the clear text already stored in
    `columns` ({"app.Model": [field, ...]}) and, backwards, decrypts it. Run it while the
    fields are still plain text fields, before they become EncryptedTextField."""

    def convert(apps: Any, change: Callable[[str], str | None]) -> None:
        for label, names in columns.items():
            model = apps.get_model(label)
            for name in names:
                # In batches by primary key, so memory stays bounded on a large table.
                last = 0
                while True:
                    batch = list(
                        model._base_manager.filter(pk__gt=last)
                        .exclude(**{name: ""})
                        .order_by("pk")
                        .values_list("pk", name)[:500]
                    )
                    if not batch:
                        break
                    for pk, text in batch:
                        new = change(text)
                        if new is not None:
                            model._base_manager.filter(pk=pk).update(**{name: new})
                    last = batch[-1][0]

    def is_encrypted(text: str) -> bool:
        return text.startswith(f"{crypto.PREFIX}:")

    def forwards(apps: Any, schema_editor: Any) -> None:
        convert(apps, lambda text: None if is_encrypted(text) else crypto.encrypt(text))

    def backwards(apps: Any, schema_editor: Any) -> None:
        convert(apps, lambda text: crypto.decrypt(text) if is_encrypted(text) else None)

    return forwards, backwards
