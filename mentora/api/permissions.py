"""Scopes: a token reads or writes only the areas it was given."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request

from mentora.api.models import ApiToken


class HasScope(permissions.BasePermission):
    """Someone signed in, and, with a token, the scope of the view's area for the method.

    What the person may see or change is decided afterwards by the access helpers, exactly
    as for the pages: a scope narrows a token, it never widens its owner's rights."""

    message = _("This token's scopes do not cover this request.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not isinstance(request.auth, ApiToken):
            return True
        mode = "read" if request.method in permissions.SAFE_METHODS else "write"
        area = getattr(view, "area", None)
        return area is not None and request.auth.allows(f"{area}:{mode}")
