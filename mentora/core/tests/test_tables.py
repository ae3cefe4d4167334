"""The shared sortable, filterable, paginated table: the sort comes from the request
through a whitelist, ties follow primary keys, and the links keep each other."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

import pytest
from django import forms
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from mentora.accounts.models import Organisation
from mentora.core.tables import DESC, Column, SearchForm, filtered, filters, sort_table

COLUMNS = [
    Column("name", "Name", order=("name",)),
    Column("slug", "Slug", order=("slug",)),
]


@pytest.fixture
def organisations(db: None) -> list[Organisation]:
    return [
        Organisation.objects.create(name=name, slug=slug)
        for name, slug in (("Beta", "b2"), ("Alpha", "a1"), ("Beta", "b1"), ("Gamma", "c1"))
    ]


def _table(query: str, **options: Any) -> Any:
    request = RequestFactory().get("/list/?" + query)
    return sort_table(request, Organisation.objects.all(), COLUMNS, default="name", **options)


def test_the_sort_key_and_direction_order_the_rows_and_ties_follow_primary_keys(
    organisations: list[Organisation],
) -> None:
    beta_first, alpha, beta_second, gamma = organisations
    assert list(_table("").rows) == [alpha, beta_first, beta_second, gamma]
    assert list(_table("sort=name&dir=desc").rows) == [gamma, beta_second, beta_first, alpha]
    assert [o.slug for o in _table("sort=slug").rows] == ["a1", "b1", "b2", "c1"]


@pytest.mark.parametrize(
    "forged",
    ["password", "name; DROP TABLE accounts_organisation", "-name", "organisation__name", "pk"],
)
def test_an_unknown_sort_key_falls_back_to_the_default_and_never_reaches_the_query(
    organisations: list[Organisation], forged: str
) -> None:
    with CaptureQueriesContext(connection) as queries:
        table = _table(f"sort={forged}&dir=sideways")
        rows = list(table.rows)
    assert table.sort == "name" and table.direction == "asc"
    assert [o.name for o in rows] == ["Alpha", "Beta", "Beta", "Gamma"]
    assert all(forged not in query["sql"] for query in queries.captured_queries)


def test_the_default_direction_is_the_views_until_the_reader_chooses(
    organisations: list[Organisation],
) -> None:
    assert _table("", default_direction=DESC).direction == "desc"
    assert _table("sort=name&dir=asc", default_direction=DESC).direction == "asc"
    # Another column starts ascending.
    assert _table("sort=slug", default_direction=DESC).direction == "asc"


def test_headers_say_how_the_table_is_sorted_and_their_links_keep_the_filters(
    organisations: list[Organisation],
) -> None:
    table = _table("q=Beta&kind=group&sort=name&dir=asc&page=2")
    name, slug = table.header("name"), table.header("slug")
    assert name["aria_sort"] == "ascending" and slug["aria_sort"] == ""
    # The sorted column's link turns it round; another's sorts by it; both keep the
    # filters and go back to the first page.
    assert parse_qs(name["query"]) == {
        "q": ["Beta"],
        "kind": ["group"],
        "sort": ["name"],
        "dir": ["desc"],
    }
    assert parse_qs(slug["query"]) == {
        "q": ["Beta"],
        "kind": ["group"],
        "sort": ["slug"],
        "dir": ["asc"],
    }
    assert _table("sort=name&dir=desc").header("name")["aria_sort"] == "descending"


def test_the_header_tag_writes_aria_sort_and_the_link(organisations: list[Organisation]) -> None:
    table = _table("q=a%26b&sort=slug&dir=desc")
    html = Template(
        '{% load tables %}{% sort_header table "name" %}{% sort_header table "slug" %}'
        "{% sort_inputs table %}"
    ).render(Context({"table": table}))
    assert '<th scope="col" class="sortable"><a href="?q=a%26b&amp;sort=name&amp;dir=asc">' in html
    assert '<th scope="col" aria-sort="descending" class="sortable">' in html
    assert '<input type="hidden" name="sort" value="slug">' in html
    assert '<input type="hidden" name="dir" value="desc">' in html


def test_pages_keep_the_sort_and_the_filters(organisations: list[Organisation]) -> None:
    table = _table("q=x&sort=slug&dir=desc&page=2", per_page=3)
    assert table.page is not None and table.page.number == 2
    assert [o.slug for o in table.rows] == ["a1"]
    request = RequestFactory().get("/list/?q=x&sort=slug&dir=desc&page=1")
    html = Template('{% include "core/_pagination.html" %}').render(
        Context({"page": _table("q=x&sort=slug&dir=desc", per_page=3).page, "request": request})
    )
    assert 'href="?q=x&amp;sort=slug&amp;dir=desc&amp;page=2"' in html


def test_rows_computed_in_python_sort_by_a_value_with_nothing_last() -> None:
    rows = [
        SimpleNamespace(pk=pk, days=days)
        for pk, days in ((1, 5), (2, None), (3, 2), (4, 5), (5, None))
    ]
    columns = [Column("days", "Days", value=lambda row: row.days)]

    def order(query: str) -> list[int]:
        request = RequestFactory().get("/?" + query)
        return [row.pk for row in sort_table(request, rows, columns, default="days").rows]

    assert order("") == [3, 1, 4, 2, 5]
    assert order("dir=desc") == [4, 1, 3, 5, 2]


def test_a_filter_that_is_not_valid_filters_nothing_and_says_why() -> None:
    form = SearchForm({"q": "x" * 101})
    assert filters(form) == {}
    assert "q" in form.errors
    assert filters(SearchForm({"q": "Beta", "other": "y"})) == {"q": "Beta"}


class _SlugFilterForm(SearchForm):
    slug = forms.CharField(required=False, max_length=60)


def _filtered(query: dict[str, str]) -> list[str]:
    rows = filtered(
        Organisation.objects.all(), _SlugFilterForm(query), search=("name", "slug"), exact=("slug",)
    )
    return sorted(rows.values_list("slug", flat=True))


def test_the_filter_finds_words_in_any_searched_field_and_matches_a_choice_exactly(
    organisations: list[Organisation],
) -> None:
    assert _filtered({}) == ["a1", "b1", "b2", "c1"]
    # The words are looked for in the name or the short name, whatever their case.
    assert _filtered({"q": "beta"}) == ["b1", "b2"]
    assert _filtered({"q": "C1"}) == ["c1"]
    # A choice matches the whole value, not a part of it.
    assert _filtered({"slug": "b1"}) == ["b1"]
    assert _filtered({"slug": "b"}) == []
    assert _filtered({"q": "beta", "slug": "b2"}) == ["b2"]
    # A filter that is not valid filters nothing.
    assert _filtered({"q": "x" * 101}) == ["a1", "b1", "b2", "c1"]
