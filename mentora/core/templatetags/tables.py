"""`{% sort_header table "key" %}`: a sortable column's header (see `mentora.core.tables`);
`{% sort_inputs table %}`: the sort as hidden fields, so that a filter form keeps it."""

from __future__ import annotations

from typing import Any

from django import template

from mentora.core.tables import Table

register = template.Library()


@register.inclusion_tag("core/_sort_header.html")
def sort_header(table: Table, key: str) -> dict[str, Any]:
    return table.header(key)


@register.inclusion_tag("core/_sort_inputs.html")
def sort_inputs(table: Table) -> dict[str, Any]:
    return {"kept": table.kept}
