"""What the pages of programmes share: the signed-in user, posted data, refusals shown on
the form that asked, and the context every programme page has."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from mentora.accounts.models import User
from mentora.core.confirm import confirmed
from mentora.programmes import access
from mentora.programmes.models import Programme

T = TypeVar("T")


def _me(request: HttpRequest) -> User:
    # @login_required has already turned anonymous visitors away.
    return cast(User, request.user)


def _posted(request: HttpRequest) -> Any:
    # An empty POST is still a submission: a form with no required field may be valid.
    return request.POST if request.method == "POST" else None


def _base(request: HttpRequest, programme: Programme, **extra: Any) -> dict[str, Any]:
    return {
        "programme": programme,
        "can_manage": access.can_manage_programme(request.user, programme),
        **extra,
    }


def _remove_part(
    request: HttpRequest,
    programme_id: int,
    page: str,
    service: Callable[..., Any],
    *,
    success: str,
    **part: Any,
) -> HttpResponse:
    """Remove a part of the programme's design once the manager confirms; back to its page."""
    if confirmed(request):
        service(actor=request.user, **part)
        messages.success(request, success)
    return redirect(page, programme_id)


def run_on_form(form: forms.BaseForm, service: Callable[..., T], /, **arguments: Any) -> T | None:
    """Run a service for a valid form; its refusal becomes the form's own error, shown with it.

    The service's result, or None when it refused. A form page calls this where a page that
    only posts calls ``mentora.core.messages.submit``.
    """
    try:
        return service(**arguments)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None
