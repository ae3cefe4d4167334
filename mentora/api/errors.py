"""Every refusal of the API as JSON: `{"detail": ...}`, plus the fields for a bad input."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """A service's refusal (Django's ValidationError) answers 400 with its message, the way
    the pages show it."""
    if isinstance(error, DjangoValidationError):
        error = exceptions.ValidationError({"detail": error.messages})
    return drf_exception_handler(error, context)
