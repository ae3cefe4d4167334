"""Tokens for the API tests: each persona's own, with every scope unless told otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from mentora.api.models import SCOPES
from mentora.api.services import token_create


def bearer(user: Any, scopes: list[str] | None = None, organisation: Any = None) -> dict[str, str]:
    """The header that carries a new token of `user`'s (an organisation's, when given)."""
    _token, text = token_create(
        actor=user, name="Tests", scopes=scopes or list(SCOPES), organisation=organisation
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


@pytest.fixture
def api(client: Any) -> Any:
    """`api(method, url, user_or_headers, data=None)`: a JSON request with a token."""

    def call(method: str, url: str, who: Any, data: Any = None) -> Any:
        headers = who if isinstance(who, dict) else bearer(who)
        send = getattr(client, method)
        if data is None:
            return send(url, **headers)
        return send(url, data, content_type="application/json", **headers)

    return call
