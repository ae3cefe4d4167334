"""Who may use the API and the tokens page: tokens are per organisation, shown once, stored
as a digest, revocable, and no stronger than the admin who created them."""

from __future__ import annotations

import json

from django.test import Client

from conftest import audited
from mentora.accounts.models import Membership, Role
from mentora.people.models import Person
from mentora.scim.models import ScimToken, token_digest
from mentora.scim.services import token_create

PATH = "/scim/v2/acme/Users"


def _get(secret: str | None, path: str = PATH):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return Client().get(path, **headers)


def test_a_request_without_a_valid_token_is_a_401(scim) -> None:
    for secret in (None, "wrong", scim.secret + "x"):
        response = _get(secret)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    # A session is no way in either.
    client = Client()
    client.force_login(scim.personas.org_admin)
    assert client.get(PATH).status_code == 401


def test_another_organisations_token_gets_a_404(scim) -> None:
    personas = scim.personas
    _token, other_secret = token_create(
        organisation=personas.other_organisation, name="Okta", actor=personas.outsider
    )
    assert _get(other_secret).status_code == 404
    assert _get(other_secret, "/scim/v2/nowhere/Users").status_code == 404
    # Acme's people cannot be reached through the other organisation's address either.
    junior = personas.people["junior"]
    assert _get(scim.secret, f"/scim/v2/other/Users/{junior.pk}").status_code == 404
    assert _get(other_secret, f"/scim/v2/other/Users/{junior.pk}").status_code == 404


def test_a_revoked_token_stops_working(scim) -> None:
    token = ScimToken.objects.get(digest=token_digest(scim.secret))
    client = Client()
    client.force_login(scim.personas.org_admin)
    client.post(f"/org/acme/scim/{token.pk}/revoke/", {"confirm": "on"})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _get(scim.secret).status_code == 401
    assert audited("scim.token.revoke") == [str(token.pk)]


def test_a_token_stops_working_when_its_creator_is_no_longer_an_admin(scim) -> None:
    assert _get(scim.secret).status_code == 200
    Membership.objects.filter(user=scim.personas.org_admin, role=Role.ORG_ADMIN).delete()
    assert _get(scim.secret).status_code == 401


def test_the_tokens_page_is_for_staff_and_only_admins_create(client_for, personas) -> None:
    for who in ("outsider", "mentor"):
        response = client_for(getattr(personas, who)).get("/org/acme/scim/")
        assert response.status_code == (404 if who == "outsider" else 403)
    manager = client_for(personas.manager)
    assert manager.get("/org/acme/scim/").status_code == 200
    assert manager.post("/org/acme/scim/", {"name": "Sneaky"}).status_code == 403
    assert client_for(personas.outsider).post("/org/acme/scim/", {"name": "X"}).status_code == 404
    assert not ScimToken.objects.exists()


def test_a_new_token_is_shown_once_and_stored_as_a_digest(client_for, personas) -> None:
    admin = client_for(personas.org_admin)
    response = admin.post("/org/acme/scim/", {"name": "Entra ID"})
    assert response.status_code == 201
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    token = ScimToken.objects.get()
    assert token.digest == token_digest(secret) and secret not in json.dumps(
        list(ScimToken.objects.values()), default=str
    )
    again = admin.get("/org/acme/scim/").content.decode()
    assert secret not in again and "Entra ID" in again and "Never" in again
    # It works, and its last use is shown.
    assert _get(secret).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert "Never" not in admin.get("/org/acme/scim/").content.decode()
    assert audited("scim.token.create") == [str(token.pk)]


def test_a_token_without_a_name_is_refused(client_for, personas) -> None:
    response = client_for(personas.org_admin).post("/org/acme/scim/", {"name": ""})
    assert response.status_code == 400 and not ScimToken.objects.exists()


def test_the_read_only_role_cannot_revoke(client_for, scim) -> None:
    token = ScimToken.objects.get()
    for who, status in (("manager", 403), ("outsider", 404)):
        response = client_for(getattr(scim.personas, who)).post(
            f"/org/acme/scim/{token.pk}/revoke/", {"confirm": "on"}
        )
        assert response.status_code == status
    token.refresh_from_db()
    assert token.revoked_at is None and Person.objects.exists()
