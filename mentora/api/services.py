"""Making and revoking API tokens, audited like every other write."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.accounts.models import Organisation
from mentora.api.models import SCOPES, ApiToken, token_hash
from mentora.core.audit import audit_log

PREFIX_LENGTH = 8


@transaction.atomic
def token_create(
    *,
    actor: Any,
    name: str,
    scopes: list[str],
    organisation: Organisation | None = None,
) -> tuple[ApiToken, str]:
    """Make a token; returns it and its secret text, which is shown once and never stored."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Give the token a name that says what uses it."))
    if not scopes or not set(scopes) <= set(SCOPES):
        raise ValidationError(_("Choose at least one of the scopes listed."))
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    text = f"mnt_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=actor,
        organisation=organisation,
        name=name,
        prefix=prefix,
        hashed=token_hash(text),
        scopes=[scope for scope in SCOPES if scope in scopes],
    )
    audit_log(
        actor=actor,
        action="api.token.create",
        obj=token,
        organisation=organisation,
        changes={"scopes": token.scopes, "organisation_token": organisation is not None},
    )
    return token, text


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Revoke a token: the next request made with it is refused."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(_("This token is already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_log(actor=actor, action="api.token.revoke", obj=token, organisation=token.organisation)
    return token
