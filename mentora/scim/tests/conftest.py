from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from conftest import Personas
from mentora.scim.services import token_create

BASE = "/scim/v2/acme"


@dataclass
class Scim:
    """A client for Acme's SCIM API with an organisation admin's token."""

    personas: Personas
    client: Client
    secret: str

    def call(self, method: str, path: str, body: Any = None, **headers: Any) -> Any:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}
        extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
        data = "" if body is None else json.dumps(body)
        url = path if path.startswith("/") else f"{BASE}/{path}"
        return self.client.generic(method, url, data, content_type="application/scim+json", **extra)


@pytest.fixture
def scim(personas: Personas) -> Scim:
    _token, secret = token_create(
        organisation=personas.organisation, name="Entra ID", actor=personas.org_admin
    )
    return Scim(personas, Client(), secret)
