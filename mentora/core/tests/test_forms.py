"""How request input becomes values: bounded numbers, ids and dates, and a guard that every
form and view uses them."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

import mentora
from conftest import REPO
from mentora.accounts.models import Organisation
from mentora.core import forms as core_forms
from mentora.core.forms import (
    DateField,
    DateTimeField,
    JsonFileField,
    ModelChoiceField,
    ModelMultipleChoiceField,
    WholeNumberField,
    parse_id,
    parse_whole_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("²", None),
        ("١٢", None),
        ("-3", None),
        ("0", None),
        ("99999999999999999999", None),
        ("1e3", None),
        ("", None),
        (None, None),
        ("12\x00", None),
    ],
)
def test_an_id_is_a_positive_whole_number_in_ascii_digits(text: Any, expected: Any) -> None:
    assert parse_id(text) == expected


def test_a_whole_number_may_be_negative_within_its_bounds() -> None:
    assert parse_whole_number("-5", minimum=-10, maximum=10) == -5
    assert parse_whole_number("11", minimum=-10, maximum=10) is None


@pytest.mark.parametrize("value", ["²", "99999999999999999999", "1e309", "NaN", "1.5", "\x00"])
def test_a_whole_number_field_refuses_what_is_not_one_with_a_message(value: str) -> None:
    field = WholeNumberField(min_value=0, max_value=100)
    with pytest.raises(forms.ValidationError):
        field.clean(value)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"])
def test_dates_outside_1900_to_2200_are_refused(value: str) -> None:
    with pytest.raises(forms.ValidationError, match="between 1900 and 2200"):
        DateField().clean(value)
    with pytest.raises(forms.ValidationError, match="between 1900 and 2200"):
        DateTimeField().clean(f"{value}T10:00")


def test_dates_inside_the_range_are_read() -> None:
    assert DateField().clean("2027-03-01") == dt.date(2027, 3, 1)
    assert DateTimeField().clean("2200-12-31T10:00").year == 2200


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "99999999999999999999", "-1", "1.0"])
def test_choosing_an_object_by_a_value_that_is_no_id_is_an_invalid_choice(value: str) -> None:
    Organisation.objects.create(name="Acme", slug="acme")
    with pytest.raises(forms.ValidationError):
        ModelChoiceField(queryset=Organisation.objects.all()).clean(value)
    with pytest.raises(forms.ValidationError):
        ModelMultipleChoiceField(queryset=Organisation.objects.all()).clean([value])


@pytest.mark.parametrize(
    "content",
    [b"[" * 100_000 + b"]" * 100_000, b'{"a": 1e999}', b'{"a": NaN}', b"\xff\xfe", b"{"],
)
def test_a_json_upload_that_cannot_be_read_is_refused_with_a_message(content: bytes) -> None:
    with pytest.raises(forms.ValidationError, match="not valid JSON"):
        JsonFileField().clean(SimpleUploadedFile("x.json", content))


def test_a_json_upload_is_read() -> None:
    assert JsonFileField().clean(SimpleUploadedFile("x.json", b'{"a": [1, 2.5]}')) == {
        "a": [1, 2.5]
    }


def _product_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(mentora.__path__, "mentora."):
        if not {"tests", "migrations", "__main__"} & set(module.name.split(".")):
            importlib.import_module(module.name)
    found = []
    todo: list[type] = [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        module = cls.__module__
        if (
            module.startswith("mentora.")
            and ".tests" not in module
            and module != core_forms.__name__
        ):
            found.append(cls)
    return found


def test_every_form_of_the_product_reads_numbers_ids_and_dates_with_bounds() -> None:
    loose = []
    product_forms = _product_forms()
    for form in product_forms:
        for name, field in form.base_fields.items():  # type: ignore[attr-defined]
            where = f"{form.__module__}.{form.__name__}.{name}"
            # (Django's FloatField and DecimalField are kinds of IntegerField.)
            whole = isinstance(field, forms.IntegerField) and not isinstance(
                field, forms.FloatField | forms.DecimalField
            )
            if whole and (not isinstance(field, WholeNumberField) or field.max_value is None):
                loose.append(f"{where}: a whole number without bounds")
            if isinstance(field, forms.FloatField | forms.DecimalField) and field.max_value is None:
                loose.append(f"{where}: a number without an upper bound")
            if isinstance(field, forms.DateField | forms.DateTimeField) and not isinstance(
                field, DateField | DateTimeField
            ):
                loose.append(f"{where}: a date without bounds")
            if isinstance(field, forms.ModelChoiceField) and not isinstance(
                field, ModelChoiceField | ModelMultipleChoiceField
            ):
                loose.append(f"{where}: an object chosen without checking its id")
    assert len(product_forms) > 10
    assert loose == []


def _production_sources() -> list[tuple[str, ast.AST]]:
    sources = []
    for path in sorted((REPO / "mentora").rglob("*.py")):
        relative = path.relative_to(REPO)
        if (
            {"tests", "migrations"} & set(relative.parts)
            or path.name == "forms.py"
            and (relative.parts[1] == "core")
        ):
            continue
        sources.append((str(relative), ast.parse(path.read_text(encoding="utf-8"))))
    return sources


def _reads_the_request(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Attribute) and n.attr in ("POST", "GET", "FILES") for n in ast.walk(node)
    )


def test_no_view_turns_request_input_into_a_number_or_date_by_hand() -> None:
    by_hand = []
    for name, tree in _production_sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called == "isdigit":
                by_hand.append(f"{name}:{node.lineno}: str.isdigit() (true for '²')")
            if called in ("int", "float", "fromisoformat", "strptime") and any(
                _reads_the_request(arg) for arg in node.args
            ):
                by_hand.append(f"{name}:{node.lineno}: {called}() on request input")
    assert by_hand == [], "\n".join(by_hand)


def test_the_guard_sees_a_number_parsed_by_hand() -> None:
    tree = ast.parse('n = int(request.POST.get("n"))\nok = "²".isdigit()')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert any(_reads_the_request(arg) for call in calls for arg in call.args)
    assert any(getattr(call.func, "attr", "") == "isdigit" for call in calls)


def test_the_form_guard_sees_an_unbounded_number() -> None:
    class Loose(forms.Form):
        n = forms.IntegerField()

    field = Loose.base_fields["n"]
    assert isinstance(field, forms.IntegerField) and not isinstance(field, WholeNumberField)
    assert inspect.isclass(Loose)
