"""The log-in page offers an organisation's own log-in by e-mail domain, passwords can be
switched off per organisation, and the settings are the organisation admin's."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mentora.accounts.models import IdentityProvider
from mentora.core.models import AuditEntry
from mentora.sso.services import identity_provider_update

pytestmark = pytest.mark.django_db

SECRET = "s3cret-value-that-must-stay-hidden"


def oidc(personas: Any, **values: Any) -> IdentityProvider:
    return identity_provider_update(
        organisation=personas.organisation,
        actor=personas.org_admin,
        **{
            "enabled": True,
            "protocol": "oidc",
            "domains": "test.example",
            "oidc_issuer": "https://login.example/tenant/v2.0",
            "oidc_client_id": "mentora",
            "oidc_client_secret": SECRET,
            **values,
        },
    )


def test_the_log_in_page_offers_the_organisations_log_in(client: Any, db: None) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Log in with your organisation" in response.content
    assert b'name="sso-email"' in response.content


def test_an_address_at_a_domain_without_single_sign_on_is_told_so(
    client: Any, personas: Any
) -> None:
    oidc(personas)
    response = client.post(reverse("sso_start"), {"sso-email": "someone@nowhere.example"})
    assert response.status_code == 400
    assert b"No organisation signs in people at this address" in response.content


def test_a_switched_off_provider_is_not_offered(client: Any, personas: Any) -> None:
    oidc(personas, enabled=False)
    response = client.post(reverse("sso_start"), {"sso-email": "mentee@test.example"})
    assert response.status_code == 400


def test_passwords_switched_off_refuse_the_organisations_people(client: Any, personas: Any) -> None:
    oidc(personas, password_login=False)
    response = client.post(reverse("login"), {"username": "mentee@test.example", "password": "pw"})
    assert response.status_code == 200
    assert "Log in with your organisation" in response.content.decode()
    assert "signs you in with its own log-in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_platform_admin_keeps_a_password_way_in(client: Any, personas: Any) -> None:
    oidc(personas, password_login=False)
    response = client.post(reverse("login"), {"username": "admin@test.example", "password": "pw"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.admin.pk)


def test_passwords_still_work_while_allowed(client: Any, personas: Any) -> None:
    oidc(personas)
    response = client.post(reverse("login"), {"username": "mentee@test.example", "password": "pw"})
    assert response.status_code == 302


def settings_url() -> str:
    return reverse("identity_provider_settings", args=["acme"])


def form(**values: Any) -> dict[str, Any]:
    return {
        "enabled": "on",
        "protocol": "oidc",
        "domains": "acme.example\nACME.example\n",
        "password_login": "on",
        "link_by": "email",
        "link_claim": "email",
        "oidc_issuer": "https://login.example/tenant/v2.0",
        "oidc_client_id": "mentora",
        "oidc_client_secret": "",
        "saml_metadata": "",
        **values,
    }


def test_outsiders_do_not_learn_the_settings_exist(client_for: Any, personas: Any) -> None:
    for user in (personas.outsider, None):
        client = client_for(user)
        assert client.get(settings_url()).status_code in (404, 302)
        assert client.post(settings_url(), form(oidc_client_secret="x")).status_code in (404, 302)
    assert not IdentityProvider.objects.exists()


def test_members_who_are_not_admins_may_not_change_them(client_for: Any, personas: Any) -> None:
    oidc(personas)
    assert client_for(personas.mentor).get(settings_url()).status_code == 403
    manager = client_for(personas.manager)
    page = manager.get(settings_url())
    assert page.status_code == 200
    assert SECRET.encode() not in page.content
    response = manager.post(settings_url(), form(password_login=""))
    assert response.status_code == 403
    assert IdentityProvider.objects.get().password_login is True


def test_the_organisation_admin_sets_up_single_sign_on(client_for: Any, personas: Any) -> None:
    client = client_for(personas.org_admin)
    response = client.post(settings_url(), form(oidc_client_secret=SECRET))
    assert response.status_code == 302
    provider = IdentityProvider.objects.get()
    assert (provider.domains, provider.oidc_client_secret) == ("acme.example", SECRET)
    # The secret is never shown back, and never written to the audit log.
    page = client.get(settings_url())
    assert SECRET.encode() not in page.content
    assert (
        b"\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2" + SECRET[-4:].encode() in page.content
    )
    entry = AuditEntry.objects.get(action="accounts.identity_provider.update")
    assert SECRET not in str(entry.changes)
    # Saving again with the secret left blank keeps it.
    assert client.post(settings_url(), form(password_login="")).status_code == 302
    provider.refresh_from_db()
    assert (provider.oidc_client_secret, provider.password_login) == (SECRET, False)


def test_switching_on_without_what_the_protocol_needs_is_refused(
    client_for: Any, personas: Any
) -> None:
    client = client_for(personas.org_admin)
    response = client.post(settings_url(), form(protocol="saml"))
    assert response.status_code == 400
    assert b"SAML needs the identity provider" in response.content
    assert not IdentityProvider.objects.exists()


def test_a_domain_belongs_to_one_organisation_only(client_for: Any, personas: Any) -> None:
    identity_provider_update(
        organisation=personas.other_organisation,
        actor=personas.outsider,
        domains="acme.example",
    )
    response = client_for(personas.org_admin).post(settings_url(), form(oidc_client_secret=SECRET))
    assert response.status_code == 400
    assert b"already belongs to another organisation" in response.content
    assert not IdentityProvider.objects.filter(organisation=personas.organisation).exists()
