"""Items kept in a chosen order: one way to move one up or down, and to close the gaps.

Positions run 1, 2, 3 ... without gaps or repeats among the siblings, whatever they were
before: every move renumbers the siblings, with their rows locked, in one transaction.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

UP, DOWN = "up", "down"


class MoveForm(forms.Form):
    """Which way to move an item: the buttons "Move up" and "Move down" post it."""

    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[(UP, _("Move up")), (DOWN, _("Move down"))],
        error_messages={"required": _("Say whether to move it up or down.")},
    )


def renumber(siblings: models.QuerySet[Any], *, field: str = "position") -> list[Any]:
    """Number `siblings` 1, 2, 3 ... in their current order; their rows, in that order."""
    with transaction.atomic():
        rows = list(siblings.select_for_update().order_by(field, "pk"))
        _save_positions(rows, field)
    return rows


def move(
    item: models.Model,
    *,
    siblings: models.QuerySet[Any],
    direction: str,
    field: str = "position",
) -> tuple[int, int] | None:
    """Move `item` one place up or down among `siblings` (which hold it).

    Its old and new position, or None when it is already first (up) or last (down), in
    which case nothing is written.
    """
    if direction not in (UP, DOWN):
        raise ValueError(f"Not a direction: {direction!r}")
    with transaction.atomic():
        rows = list(siblings.select_for_update().order_by(field, "pk"))
        index = next((n for n, row in enumerate(rows) if row.pk == item.pk), None)
        if index is None:
            raise ValueError(f"{item!r} is not among its siblings")
        other = index - 1 if direction == UP else index + 1
        if not 0 <= other < len(rows):
            return None
        rows[index], rows[other] = rows[other], rows[index]
        _save_positions(rows, field)
        setattr(item, field, other + 1)
        return index + 1, other + 1


def move_or_refuse(
    item: models.Model,
    *,
    siblings: models.QuerySet[Any],
    direction: str,
    first: str,
    last: str,
    code: str | None = None,
    field: str = "position",
) -> tuple[int, int]:
    """`move`, refused with the message `first` (moving up) or `last` (moving down) when
    the item is already there: its old and new position."""
    moved = move(item, siblings=siblings, direction=direction, field=field)
    if moved is None:
        raise ValidationError(first if direction == UP else last, code=code)
    return moved


def _save_positions(rows: list[Any], field: str) -> None:
    changed = []
    for number, row in enumerate(rows, start=1):
        if getattr(row, field) != number:
            setattr(row, field, number)
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, [field])
