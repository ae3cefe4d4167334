from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from mentora.api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """At most API_RATE_LIMIT requests per token (a browser session is not counted here:
    it is a person at the pages' pace)."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
