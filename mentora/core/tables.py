"""Sortable, filterable, paginated tables: one way for every list page.

A view names the columns a reader may sort by (`Column`), then calls `sort_table` with
the request, the rows (a queryset, or a list computed in Python) and the default column.
The sort key and direction come from the query string (`sort`, `dir`) through `SortForm`,
whose choices are the named columns only: an unknown or forged key falls back to the
default, without an error page, and never reaches `order_by`. Rows with the same value
follow their primary keys, in the same direction, so pages do not shuffle. The links of the column
headers (`{% sort_header %}` in `mentora.core.templatetags.tables`) and of
`core/_pagination.html` keep the page's other query parameters, its filters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SORT = "sort"
DIRECTION = "dir"
ASC, DESC = "asc", "desc"


@dataclass(frozen=True)
class Column:
    """A column a reader may sort by: its `key` in the query string, its heading, and
    either the fields a queryset is ordered by (`order`) or, for rows computed in
    Python, the value a row is sorted by (`value`; None sorts last)."""

    key: str
    label: str | Promise
    order: tuple[str, ...] = ()
    value: Callable[[Any], Any] | None = None


class SortForm(forms.Form):
    """The sort key, one of the table's columns, and the direction."""

    sort = forms.ChoiceField(required=False)
    dir = forms.ChoiceField(required=False, choices=[(ASC, ASC), (DESC, DESC)])

    def __init__(self, data: Any, *, columns: Sequence[Column]) -> None:
        super().__init__(data)
        sort_field = self.fields[SORT]
        assert isinstance(sort_field, forms.ChoiceField)
        sort_field.choices = [(column.key, column.key) for column in columns]


@dataclass
class Table:
    """The rows to show (one page of them when paginated) and how they are sorted."""

    rows: Iterable[Any]
    page: Page[Any] | None
    columns: dict[str, Column]
    sort: str
    direction: str
    params: QueryDict

    def header(self, key: str) -> dict[str, Any]:
        """What a column's header shows: its label, its `aria-sort` and its link, which
        sorts by the column (the other way round when it is the sorted one already)."""
        column = self.columns[key]
        sorted_here = key == self.sort
        direction = DESC if sorted_here and self.direction == ASC else ASC
        params = self.params.copy()
        params[SORT] = key
        params[DIRECTION] = direction
        aria_sort = ""
        if sorted_here:
            aria_sort = "ascending" if self.direction == ASC else "descending"
        return {
            "label": column.label,
            "aria_sort": aria_sort,
            "query": params.urlencode(),
        }

    @property
    def kept(self) -> list[tuple[str, str]]:
        """The sort as hidden fields, for a filter form to keep it."""
        return [(SORT, self.sort), (DIRECTION, self.direction)]


def _ordered_queryset(rows: QuerySet[Any], column: Column, descending: bool) -> QuerySet[Any]:
    fields = column.order or (column.key,)
    order = [
        F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        for field in fields
    ]
    return rows.order_by(*order, "-pk" if descending else "pk")


def _ordered_list(
    rows: Sequence[Any], column: Column, descending: bool, pk: Callable[[Any], Any]
) -> list[Any]:
    value = column.value or (lambda row: getattr(row, column.key))
    # Python's sort is stable, also in reverse: ties keep the order of primary keys.
    by_pk = sorted(rows, key=pk, reverse=descending)
    present = [row for row in by_pk if value(row) is not None]
    missing = [row for row in by_pk if value(row) is None]
    return sorted(present, key=value, reverse=descending) + missing


def sort_table(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    columns: Sequence[Column],
    *,
    default: str,
    default_direction: str = ASC,
    per_page: int | None = None,
    pk: Callable[[Any], Any] = lambda row: row.pk,
) -> Table:
    """`rows` sorted as the request asks (else by `default`), one page of them when
    `per_page` is given; the request's other query parameters stay in the links."""
    by_key = {column.key: column for column in columns}
    assert default in by_key, default
    form = SortForm(request.GET, columns=columns)
    form.is_valid()  # A field that is not valid is left out of cleaned_data.
    sort = form.cleaned_data.get(SORT) or default
    direction = form.cleaned_data.get(DIRECTION) or (default_direction if sort == default else ASC)
    column = by_key[sort]
    descending = direction == DESC
    if isinstance(rows, QuerySet):
        ordered: QuerySet[Any] | list[Any] = _ordered_queryset(rows, column, descending)
    else:
        ordered = _ordered_list(rows, column, descending, pk)
    page = Paginator(ordered, per_page).get_page(request.GET.get("page")) if per_page else None
    params = request.GET.copy()
    for name in (SORT, DIRECTION, "page"):
        params.pop(name, None)
    return Table(
        rows=page.object_list if page is not None else ordered,
        page=page,
        columns=by_key,
        sort=sort,
        direction=direction,
        params=params,
    )


def filters(form: forms.Form) -> dict[str, Any]:
    """The filters of a bound filter form that are given and valid. A field that is not
    valid filters nothing, and the form, shown again, says why."""
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "", [])}


def filtered(
    rows: QuerySet[Any], form: forms.Form, *, search: Sequence[str], exact: Sequence[str] = ()
) -> QuerySet[Any]:
    """`rows` narrowed by a bound filter form's given, valid `filters`: the words (`q`)
    found in any of the `search` fields, and each field named in `exact` equal to the form's
    field of the same name."""
    chosen = filters(form)
    if "q" in chosen:
        rows = rows.filter(
            reduce(or_, (Q(**{f"{field}__icontains": chosen["q"]}) for field in search))
        )
    for name in exact:
        if name in chosen:
            rows = rows.filter(**{name: chosen[name]})
    return rows


class SearchForm(forms.Form):
    """A list's filter form: words to look for; a page adds its own choices."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids, apart from those of another form on the page (an invitation's role).
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
