"""What the pages of programmes share: the signed-in user, posted data and the context
every programme page has."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mentora.accounts.models import User
from mentora.core.confirm import run_confirmed
from mentora.programmes import access
from mentora.programmes.models import Programme


def _me(request: HttpRequest) -> User:
    # @login_required has already turned anonymous visitors away.
    return cast(User, request.user)


def _posted(request: HttpRequest) -> Any:
    # An empty POST is still a submission: a form with no required field may be valid.
    return request.POST if request.method == "POST" else None


def _page(
    request: HttpRequest,
    template: str,
    programme: Programme,
    *,
    http_status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """A page of the programme: what its navigation needs, and ``extra``."""
    context = {
        "programme": programme,
        "can_manage": access.can_manage_programme(request.user, programme),
        **extra,
    }
    return render(request, template, context, status=http_status)


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
    run_confirmed(request, service, actor=request.user, success=success, **part)
    return redirect(page, programme_id)
