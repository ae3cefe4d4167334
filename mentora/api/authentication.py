"""API tokens in the Authorization header: `Bearer mnt_<prefix>_<secret>`."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from mentora.accounts.access import is_organisation_admin
from mentora.api.models import ApiToken, token_hash

# How often the "last used" time is written: once a minute is enough to show, and spares
# a write on every request.
LAST_USED_STEP = dt.timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in ("bearer", "token"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header is malformed."))
        return self._check(header[1])

    def _check(self, text: str) -> tuple[Any, ApiToken]:
        refusal = exceptions.AuthenticationFailed(_("This token is not valid or was revoked."))
        parts = text.split("_")
        if len(parts) < 3 or parts[0] != "mnt" or not parts[1].isalnum():
            raise refusal
        token = (
            ApiToken.objects.usable()
            .select_related("user", "organisation")
            .filter(prefix=parts[1])
            .first()
        )
        if token is None or not hmac.compare_digest(token.hashed, token_hash(text)):
            raise refusal
        user = token.user
        if not user.is_active:
            raise refusal
        # An organisation's token holds only while the one who made it runs the organisation.
        if token.organisation is not None and not is_organisation_admin(user, token.organisation):
            raise refusal
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
