"""How a request's numbers, ids and dates become values: one place, with bounds.

Views read every input through a Django form built on these fields, or, for a lone
query parameter, through `parse_id` or `parse_whole_number`. Never a bare `int()` or
`str.isdigit()`: `"²".isdigit()` is true and `int("²")` raises. The bounds are the
product's, not the database's: SQLite enforces no integer range and no `max_length`, so
what PostgreSQL would refuse with an error must be refused here first, with a message.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_lazy as _

# Dates a person may mean: anything else is a typing mistake (and year 9999 breaks
# calendar files and time-zone arithmetic).
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)
# The largest primary key (a 64-bit signed integer).
MAX_ID = 2**63 - 1


def parse_whole_number(value: object, *, minimum: int, maximum: int) -> int | None:
    """`value` as a whole number written in ASCII digits within the bounds, else None."""
    text = str(value if value is not None else "").strip()
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 20:
        return None
    number = -int(digits) if negative else int(digits)
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """A primary key from a request (a query parameter, a form's choice), else None."""
    return parse_whole_number(value, minimum=1, maximum=MAX_ID)


class WholeNumberField(forms.IntegerField):
    """A whole number in ASCII digits within explicit bounds: both are required."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        number = parse_whole_number(value, minimum=-(2**63), maximum=MAX_ID)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


def _check_date_range(value: dt.date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Give a date between %(earliest)s and %(latest)s."),
            code="date_range",
            params={"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year},
        )


class DateField(forms.DateField):
    """A date between 1900 and 2200."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            _check_date_range(value)


class DateTimeField(forms.DateTimeField):
    """A date and time between 1900 and 2200 (checked before time-zone arithmetic, which
    overflows at the ends of the calendar)."""

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, str):
            day = forms.DateField().to_python(value.strip()[:10]) if value.strip() else None
            if day is not None:
                _check_date_range(day)
        result = super().to_python(value)
        if result is not None:
            _check_date_range(result.date())
        return result


class ModelChoiceField(forms.ModelChoiceField):
    """A choice of object by its id; a value that cannot be an id is an invalid choice,
    never a database error."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not self.to_field_name and parse_id(value) is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several objects by their ids, with the same rule as `ModelChoiceField`."""

    def _check_values(self, value: Any) -> Any:
        for item in value or ():
            if not self.to_field_name and parse_id(item) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)  # type: ignore[misc]


INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


def formfield(model_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """The form field for a model field, with the bounds above: every ModelForm of the
    product uses it (see `ModelForm`)."""
    if isinstance(model_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
    elif isinstance(model_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    elif isinstance(model_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    elif isinstance(model_field, models.ForeignKey):
        kwargs.setdefault("form_class", ModelChoiceField)
    elif isinstance(model_field, models.IntegerField) and not model_field.choices:
        low, high = INTEGER_RANGES.get(model_field.get_internal_type(), (-(2**63), MAX_ID))
        field = model_field.formfield(**kwargs)
        if isinstance(field, forms.IntegerField):
            bounded = WholeNumberField(
                min_value=max(field.min_value if field.min_value is not None else low, low),
                max_value=min(field.max_value if field.max_value is not None else high, high),
                required=field.required,
                label=field.label,
                help_text=field.help_text,
                initial=field.initial,
                widget=field.widget,
            )
            return bounded
        return field
    elif isinstance(model_field, models.DecimalField):
        # The column holds max_digits digits: anything wider cannot be stored.
        whole_digits = model_field.max_digits - model_field.decimal_places
        widest = Decimal(10) ** whole_digits - Decimal(1).scaleb(-model_field.decimal_places)
        kwargs.setdefault("min_value", -widest)
        kwargs.setdefault("max_value", widest)
    return model_field.formfield(**kwargs)


class ModelForm(forms.ModelForm):
    """Django's ModelForm with the bounded fields of this module for every model field."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Runs before Django builds the form's fields from its Meta, which is where Django
        # looks for the callback (a subclass's own Meta would not inherit it otherwise).
        super().__init_subclass__(**kwargs)
        meta = getattr(cls, "Meta", None)
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(formfield)


class JsonFileField(forms.FileField):
    """An uploaded JSON file, parsed: invalid JSON, nesting too deep for the parser, and
    numbers that are not finite (NaN, 1e999) are refused with a message, never a crash."""

    def __init__(self, *, max_bytes: int = 20 * 1024 * 1024, **kwargs: Any) -> None:
        self.max_bytes = max_bytes
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        uploaded = super().clean(data, initial)
        if uploaded is None:
            return None
        if uploaded.size is not None and uploaded.size > self.max_bytes:
            raise ValidationError(
                _("The file is larger than %(limit)s MB."),
                code="too_large",
                params={"limit": self.max_bytes // (1024 * 1024)},
            )
        try:
            return json.loads(
                uploaded.read().decode("utf-8"),
                parse_constant=_refuse_constant,
                parse_float=_finite_float,
            )
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ValidationError(_("The file is not valid JSON."), code="invalid_json") from None


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value
