"""Who may manage which API token, and how far an organisation's token reaches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from mentora.accounts.access import Viewer, access_organisation, signed_in
from mentora.accounts.models import Organisation
from mentora.api.models import ApiToken


def access_personal_token(user: Viewer, token_id: int) -> ApiToken:
    """One of the user's own personal tokens; anyone else's is as missing as none."""
    if not signed_in(user):
        raise Http404
    return get_object_or_404(ApiToken, pk=token_id, user_id=user.pk, organisation__isnull=True)


def access_organisation_tokens(user: Viewer, slug: str) -> Organisation:
    """The organisation, for its tokens page: its administrators only (members 403,
    outsiders 404). A token may act for the whole organisation, so even reading the list
    is an administrator's."""
    return access_organisation(user, slug, write=True)


def access_organisation_token(user: Viewer, slug: str, token_id: int) -> ApiToken:
    """One of the organisation's tokens, for its administrators."""
    organisation = access_organisation_tokens(user, slug)
    return get_object_or_404(ApiToken, pk=token_id, organisation=organisation)


def within_token(auth: Any, organisation_ids: Iterable[int]) -> None:
    """Refuse, as missing, an object outside the organisation an organisation's token is for.

    The object has already passed the access helper of its app as the token's owner; a
    personal token (or a browser session) goes no further than that."""
    if isinstance(auth, ApiToken) and auth.organisation_id is not None:
        if auth.organisation_id not in set(organisation_ids):
            raise Http404
