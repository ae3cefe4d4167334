"""Signing in with an organisation's OpenID provider: a real one, on 127.0.0.1, with
ID tokens signed by a key made for the run."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.urls import reverse

from mentora.accounts.models import IdentityProvider, User
from mentora.core.models import AuditEntry
from mentora.sso import oidc
from mentora.sso.services import SsoRefusal, identity_provider_update
from mentora.sso.tests.conftest import SECRET, OidcIdp, people

pytestmark = pytest.mark.django_db


def connect(personas: Any, idp: OidcIdp, **values: Any) -> IdentityProvider:
    return identity_provider_update(
        organisation=personas.organisation,
        actor=personas.org_admin,
        **{
            "enabled": True,
            "protocol": "oidc",
            "domains": "acme.example",
            "oidc_issuer": idp.issuer,
            "oidc_client_id": "mentora",
            "oidc_client_secret": SECRET,
            **values,
        },
    )


def start(client: Any, email: str) -> str:
    response = client.post(reverse("sso_start"), {"sso-email": email, "sso-next": "/my/"})
    assert response.status_code == 302, response.content
    return str(response["Location"])


def test_a_person_in_the_hr_data_signs_in_and_gets_an_account_linked_to_them(
    client: Any, personas: Any, oidc_idp: OidcIdp
) -> None:
    ada = people(personas)["ada"]
    connect(personas, oidc_idp)
    location = start(client, "Ada@Acme.example")
    assert location.startswith(oidc_idp.issuer)

    response = client.get(oidc_idp.sign_in(location, "ada"))

    assert response.status_code == 302
    assert response["Location"] == "/my/"
    ada.refresh_from_db()
    assert ada.user is not None and ada.user.email == "ada@acme.example"
    assert client.session["_auth_user_id"] == str(ada.user.pk)
    assert AuditEntry.objects.filter(action="people.person.link_account").count() == 1


def test_it_links_by_employee_id_when_so_configured(
    client: Any, personas: Any, oidc_idp: OidcIdp
) -> None:
    connect(personas, oidc_idp, link_by="employee_id", link_claim="employee_id")
    users = User.objects.count()

    # Jo's provider account has a private e-mail address; the employee id E3 is Jo's.
    response = client.get(oidc_idp.sign_in(start(client, "jo@acme.example"), "jo"))

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.mentee.pk)
    assert User.objects.count() == users


def test_someone_the_hr_data_does_not_know_gets_a_clear_page_and_nothing_is_created(
    client: Any, personas: Any, oidc_idp: OidcIdp
) -> None:
    connect(personas, oidc_idp)
    users, entries = User.objects.count(), AuditEntry.objects.count()

    response = client.get(oidc_idp.sign_in(start(client, "ghost@acme.example"), "ghost"))

    assert response.status_code == 403
    assert b"has no one matching you" in response.content
    assert "_auth_user_id" not in client.session
    assert (User.objects.count(), AuditEntry.objects.count()) == (users, entries)


def test_an_answer_used_once_cannot_sign_in_again(
    client: Any, personas: Any, oidc_idp: OidcIdp
) -> None:
    people(personas)
    connect(personas, oidc_idp)
    back = oidc_idp.sign_in(start(client, "ada@acme.example"), "ada")
    assert client.get(back).status_code == 302
    client.logout()

    response = client.get(back)

    assert response.status_code == 403
    assert b"already been used" in response.content
    assert "_auth_user_id" not in client.session


def test_an_expired_id_token_is_refused(client: Any, personas: Any, oidc_idp: OidcIdp) -> None:
    people(personas)
    # The provider issues this client's tokens already expired.
    connect(personas, oidc_idp, oidc_client_id="stale")
    users = User.objects.count()

    response = client.get(oidc_idp.sign_in(start(client, "ada@acme.example"), "ada"))

    assert response.status_code == 403
    assert b"has expired" in response.content
    assert User.objects.count() == users


def real_token(client: Any, personas: Any, idp: OidcIdp) -> tuple[IdentityProvider, str, str]:
    """A genuine ID token for Ada from the provider, with the nonce it was asked for."""
    provider = connect(personas, idp)
    back = idp.sign_in(start(client, "ada@acme.example"), "ada")
    kept = client.session["sso_oidc"]
    return (
        provider,
        idp.exchange(back, client_id="mentora", verifier=kept["verifier"]),
        kept["nonce"],
    )


def test_a_token_with_a_tampered_payload_is_refused(
    client: Any, personas: Any, oidc_idp: OidcIdp
) -> None:
    provider, token, nonce = real_token(client, personas, oidc_idp)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "boss@acme.example"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    config = oidc.discover(provider)

    with pytest.raises(SsoRefusal) as refusal:
        oidc.check_id_token(provider, f"{header}.{forged}.{signature}", config=config, nonce=nonce)
    assert refusal.value.reason == "bad_signature"
    # The genuine token passes, once.
    assert oidc.check_id_token(provider, token, config=config, nonce=nonce)["email"] == (
        "ada@acme.example"
    )
    with pytest.raises(SsoRefusal) as refusal:
        oidc.check_id_token(provider, token, config=config, nonce=nonce)
    assert refusal.value.reason == "replayed"


def test_a_token_for_another_client_is_refused(
    client: Any, personas: Any, oidc_idp: OidcIdp
) -> None:
    provider, token, nonce = real_token(client, personas, oidc_idp)
    config = oidc.discover(provider)
    provider.oidc_client_id = "another-service"

    with pytest.raises(SsoRefusal) as refusal:
        oidc.check_id_token(provider, token, config=config, nonce=nonce)
    assert refusal.value.reason == "wrong_audience"


def test_a_token_asked_for_with_another_nonce_is_refused(
    client: Any, personas: Any, oidc_idp: OidcIdp
) -> None:
    provider, token, _nonce = real_token(client, personas, oidc_idp)

    with pytest.raises(SsoRefusal) as refusal:
        oidc.check_id_token(provider, token, config=oidc.discover(provider), nonce="other")
    assert refusal.value.reason == "replayed"
