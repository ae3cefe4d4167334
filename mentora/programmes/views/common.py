"""What the pages of programmes share: the signed-in user, posted data, refusals shown as
messages, and the context every programme page has."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest

from mentora.accounts.models import User
from mentora.programmes import access
from mentora.programmes.models import Programme


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
