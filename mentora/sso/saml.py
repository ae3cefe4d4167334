"""SAML 2.0, as a service provider, on pysaml2 and Debian's xmlsec1: the request goes out
by HTTP redirect, the response comes back by HTTP POST, and only a signed assertion
within its lifetime, for this service provider, answering a request made here and never
seen before is accepted.

The configuration is built per organisation from the metadata its identity provider
publishes, so one installation serves several organisations.
"""

from __future__ import annotations

import datetime as dt
import shutil
from typing import Any

from django.core import signing
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.s_utils import UnknownPrincipal, UnsupportedBinding
from saml2.saml import NAMEID_FORMAT_UNSPECIFIED

from mentora.accounts.models import IdentityProvider
from mentora.sso.services import SsoRefusal, replay_guard

# A request not answered within this time is forgotten.
REQUEST_MAX_AGE = 15 * 60
# Clocks differ a little between machines.
ACCEPTED_TIME_DIFF = 60
RELAY_SALT = "mentora.sso.saml.relay"


def _config(provider: IdentityProvider, *, entity_id: str, acs_url: str) -> SPConfig:
    settings: dict[str, Any] = {
        "entityid": entity_id,
        "xmlsec_binary": shutil.which("xmlsec1"),
        "accepted_time_diff": ACCEPTED_TIME_DIFF,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "endpoints": {"assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)]},
                # Entra ID signs the assertion; some providers sign the response around
                # it. Either way the assertion is covered by a signature checked here.
                "want_assertions_or_response_signed": True,
                "want_assertions_signed": False,
                "want_response_signed": False,
                "authn_requests_signed": False,
                "allow_unsolicited": False,
                "name_id_format": NAMEID_FORMAT_UNSPECIFIED,
            }
        },
    }
    if provider.saml_metadata.strip():
        settings["metadata"] = {"inline": [provider.saml_metadata]}
    config = SPConfig()
    try:
        config.load(settings)
    except Exception:  # noqa: BLE001 - pysaml2 raises many kinds for bad metadata
        raise SsoRefusal("provider_misconfigured") from None
    return config


def metadata_xml(provider: IdentityProvider, *, entity_id: str, acs_url: str) -> str:
    """This service provider's metadata, for the identity provider's administrator."""
    config = _config(provider, entity_id=entity_id, acs_url=acs_url)
    return str(entity_descriptor(config))


def authentication_request(
    provider: IdentityProvider, *, entity_id: str, acs_url: str, next_url: str
) -> str:
    """The identity provider's address carrying a fresh request; the request's id travels
    in a signed relay state (the answer is a cross-site POST, which carries no cookie)."""
    client = Saml2Client(_config(provider, entity_id=entity_id, acs_url=acs_url))
    try:
        idps = list(client.metadata.identity_providers())
        if len(idps) != 1:
            raise SsoRefusal("provider_misconfigured")
        relay = {"org": provider.organisation_id, "next": next_url}
        request_id, info = client.prepare_for_authenticate(
            entityid=idps[0], binding=BINDING_HTTP_REDIRECT, relay_state="pending"
        )
    except (UnknownPrincipal, UnsupportedBinding):
        raise SsoRefusal("provider_misconfigured") from None
    relay["request"] = request_id
    location = dict(info["headers"])["Location"]
    # The relay state placeholder is replaced by the signed one.
    return location.replace(
        "RelayState=pending", "RelayState=" + signing.dumps(relay, salt=RELAY_SALT)
    )


def read_relay_state(relay_state: str) -> dict[str, Any]:
    try:
        relay = signing.loads(relay_state, salt=RELAY_SALT, max_age=REQUEST_MAX_AGE)
    except signing.BadSignature:
        raise SsoRefusal("expired") from None
    if not isinstance(relay, dict) or not {"org", "request", "next"} <= set(relay):
        raise SsoRefusal("expired")
    return relay


def claims_from_response(
    provider: IdentityProvider,
    *,
    entity_id: str,
    acs_url: str,
    saml_response: str,
    request_id: str,
) -> dict[str, Any]:
    """The attributes of a checked assertion (plus its subject as `name_id`)."""
    client = Saml2Client(_config(provider, entity_id=entity_id, acs_url=acs_url))
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: acs_url}
        )
    except Exception as error:  # noqa: BLE001 - pysaml2 signals each failure its own way
        raise SsoRefusal(_reason(error)) from None
    if response is None or response.assertion is None:
        raise SsoRefusal("bad_signature")
    assertion = response.assertion
    conditions = assertion.conditions
    not_after = conditions.not_on_or_after if conditions is not None else None
    expires = (
        dt.datetime.fromisoformat(not_after.replace("Z", "+00:00"))
        if not_after
        else dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=REQUEST_MAX_AGE)
    )
    replay_guard(
        key=f"saml:{response.issuer()}:{assertion.id}",
        expires_at=expires + dt.timedelta(seconds=ACCEPTED_TIME_DIFF),
    )
    claims: dict[str, Any] = dict(response.ava or {})
    name_id = response.name_id
    if name_id is not None and name_id.text:
        claims.setdefault("name_id", name_id.text.strip())
    return claims


def _reason(error: Exception) -> str:
    name = type(error).__name__
    text = str(error).lower()
    if "audience" in name.lower() or "audience" in text:
        return "wrong_audience"
    # pysaml2 says "Condition not OK" when the assertion's validity window has closed.
    if "timeout" in name.lower() or "too old" in text or "condition not ok" in text:
        return "expired"
    if "unsolicited" in f"{name} {text}".lower() or "inresponseto" in text.replace("_", ""):
        return "replayed"
    return "bad_signature"
