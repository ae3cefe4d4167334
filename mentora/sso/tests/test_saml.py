"""Signing in with an organisation's SAML identity provider: pysaml2's IdP on 127.0.0.1,
signing every assertion with a key made for the run."""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from mentora.accounts.models import IdentityProvider, User
from mentora.sso.services import identity_provider_update
from mentora.sso.tests.conftest import people
from mentora.sso.tests.saml_idp import SamlIdp

pytestmark = pytest.mark.django_db


def connect(client: Any, personas: Any, idp: SamlIdp, **values: Any) -> IdentityProvider:
    """Acme's admin pastes the provider's metadata, then gives the provider Mentora's."""
    provider = identity_provider_update(
        organisation=personas.organisation,
        actor=personas.org_admin,
        **{
            "enabled": True,
            "protocol": "saml",
            "domains": "acme.example",
            "saml_metadata": idp.metadata(),
            **values,
        },
    )
    client.force_login(personas.org_admin)
    metadata = client.get(reverse("sso_saml_metadata", args=["acme"]))
    assert metadata.status_code == 200
    idp.sp_metadata = [metadata.content.decode()]
    client.logout()
    return provider


def answer(client: Any, idp: SamlIdp, who: str) -> dict[str, str]:
    """Start at Mentora's log-in page as `who`, and bring back what the provider posts."""
    idp.signed_in = who
    response = client.post(reverse("sso_start"), {"sso-email": f"{who}@acme.example"})
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(idp.base)
    page = requests.get(response["Location"], timeout=10)
    assert page.status_code == 200
    form = idp.answer(urlparse(response["Location"]).query)
    assert form["acs"] == "http://testserver/sso/acme/saml/acs/"
    return form


def post(client: Any, form: dict[str, str]) -> Any:
    return client.post(
        reverse("sso_saml_acs", args=["acme"]),
        {"SAMLResponse": form["SAMLResponse"], "RelayState": form["RelayState"]},
    )


def test_a_person_in_the_hr_data_signs_in_with_a_signed_assertion(
    client: Any, personas: Any, saml_defaults: SamlIdp
) -> None:
    ada = people(personas)["ada"]
    connect(client, personas, saml_defaults)

    response = post(client, answer(client, saml_defaults, "ada"))

    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.user is not None
    assert client.session["_auth_user_id"] == str(ada.user.pk)


def test_it_links_by_an_employee_id_attribute(
    client: Any, personas: Any, saml_defaults: SamlIdp
) -> None:
    ada = people(personas)["ada"]
    connect(client, personas, saml_defaults, link_by="employee_id", link_claim="employee_id")

    assert post(client, answer(client, saml_defaults, "ada")).status_code == 302
    ada.refresh_from_db()
    assert client.session["_auth_user_id"] == str(ada.user_id)


def refused(client: Any, response: Any, words: bytes, users: int) -> None:
    assert response.status_code == 403
    assert words in response.content
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users


def test_someone_unknown_to_the_hr_data_is_refused_and_nothing_is_created(
    client: Any, personas: Any, saml_defaults: SamlIdp
) -> None:
    connect(client, personas, saml_defaults)
    users = User.objects.count()

    response = post(client, answer(client, saml_defaults, "ghost"))

    refused(client, response, b"has no one matching you", users)


def test_a_tampered_assertion_is_refused(
    client: Any, personas: Any, saml_defaults: SamlIdp
) -> None:
    people(personas)
    connect(client, personas, saml_defaults)
    users = User.objects.count()
    form = answer(client, saml_defaults, "ghost")
    xml = base64.b64decode(form["SAMLResponse"]).decode()
    assert "ghost@acme.example" in xml
    # Ghost, unknown to HR, rewrites the signed assertion to say Ada.
    forged = xml.replace("ghost@acme.example", "ada@acme.example")
    form["SAMLResponse"] = base64.b64encode(forged.encode()).decode()

    response = post(client, form)

    refused(client, response, b"could not be verified", users)


def test_an_expired_assertion_is_refused(
    client: Any, personas: Any, saml_defaults: SamlIdp
) -> None:
    people(personas)
    connect(client, personas, saml_defaults)
    users = User.objects.count()
    # The provider's assertions were valid until ten minutes ago.
    saml_defaults.lifetime_minutes = -10
    form = answer(client, saml_defaults, "ada")
    not_after = re.search(
        r'NotOnOrAfter="([^"]+)"', base64.b64decode(form["SAMLResponse"]).decode()
    )
    assert not_after is not None
    assert dt.datetime.fromisoformat(not_after.group(1).replace("Z", "+00:00")) < timezone.now()

    response = post(client, form)

    refused(client, response, b"has expired", users)


def test_an_assertion_for_another_service_is_refused(
    client: Any, personas: Any, saml_defaults: SamlIdp
) -> None:
    people(personas)
    connect(client, personas, saml_defaults)
    users = User.objects.count()
    saml_defaults.audience = "https://elsewhere.example/saml"

    response = post(client, answer(client, saml_defaults, "ada"))

    refused(client, response, b"meant for another service", users)


def test_a_replayed_assertion_is_refused(
    client: Any, personas: Any, saml_defaults: SamlIdp
) -> None:
    people(personas)
    connect(client, personas, saml_defaults)
    form = answer(client, saml_defaults, "ada")
    assert post(client, form).status_code == 302
    client.logout()
    users = User.objects.count()

    response = post(client, form)

    refused(client, response, b"already been used", users)


def test_an_assertion_answering_another_request_is_refused(
    client: Any, personas: Any, saml_defaults: SamlIdp
) -> None:
    people(personas)
    connect(client, personas, saml_defaults)
    users = User.objects.count()
    first = answer(client, saml_defaults, "ada")
    second = answer(client, saml_defaults, "ada")
    # The first answer, sent back with the second request's (genuinely signed) relay state.
    response = post(client, {**first, "RelayState": second["RelayState"]})

    refused(client, response, b"does not belong to a log-in started here", users)
