"""OpenID Connect, as a relying party: the authorisation-code flow with PKCE, and the
ID token checked against the issuer's published keys (signature, issuer, audience,
expiry, nonce), with each nonce accepted once.

Written on `requests` and `joserfc` rather than a framework's client because every
organisation has its own issuer and client; nothing here reads global settings.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import requests
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from mentora.accounts.models import IdentityProvider
from mentora.sso.services import SsoRefusal, replay_guard

TIMEOUT = 10
# Clocks differ a little between machines.
LEEWAY = 60
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError):
        raise SsoRefusal("provider_unreachable") from None
    if not isinstance(data, dict):
        raise SsoRefusal("provider_unreachable")
    return data


def discover(provider: IdentityProvider) -> dict[str, Any]:
    """The issuer's OpenID configuration, which must name the issuer it was asked for."""
    issuer = provider.oidc_issuer.rstrip("/")
    config = _get_json(f"{issuer}/.well-known/openid-configuration")
    if str(config.get("issuer", "")).rstrip("/") != issuer:
        raise SsoRefusal("provider_misconfigured")
    return config


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorisation_request(
    provider: IdentityProvider, *, redirect_uri: str
) -> tuple[str, dict[str, str]]:
    """Where to send the browser, and what to keep in the session until it returns."""
    config = discover(provider)
    state = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(48),
    }
    query = urlencode(
        {
            "response_type": "code",
            "client_id": provider.oidc_client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": state["state"],
            "nonce": state["nonce"],
            "code_challenge": _challenge(state["verifier"]),
            "code_challenge_method": "S256",
        }
    )
    return f"{config['authorization_endpoint']}?{query}", state


def claims_from_code(
    provider: IdentityProvider, *, code: str, redirect_uri: str, kept: dict[str, str]
) -> dict[str, Any]:
    """Exchange the code for tokens and return the ID token's checked claims."""
    config = discover(provider)
    try:
        response = requests.post(
            config["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": kept["verifier"],
            },
            auth=(provider.oidc_client_id, provider.oidc_client_secret),
            timeout=TIMEOUT,
        )
    except requests.RequestException:
        raise SsoRefusal("provider_unreachable") from None
    if response.status_code != 200:
        raise SsoRefusal("code_refused")
    id_token = response.json().get("id_token") if response.content else None
    if not isinstance(id_token, str):
        raise SsoRefusal("code_refused")
    claims = check_id_token(provider, id_token, config=config, nonce=kept["nonce"])
    access_token = response.json().get("access_token")
    if provider.link_claim not in claims and access_token and config.get("userinfo_endpoint"):
        claims = {**_userinfo(config["userinfo_endpoint"], access_token, claims["sub"]), **claims}
    return claims


def _userinfo(url: str, access_token: str, subject: str) -> dict[str, Any]:
    try:
        response = requests.get(
            url, headers={"Authorization": f"Bearer {access_token}"}, timeout=TIMEOUT
        )
        info = response.json() if response.status_code == 200 else {}
    except (requests.RequestException, ValueError):
        return {}
    # Claims about someone else are never mixed in.
    return info if isinstance(info, dict) and info.get("sub") == subject else {}


def check_id_token(
    provider: IdentityProvider, id_token: str, *, config: dict[str, Any], nonce: str
) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, lifetime and nonce
    are right; the nonce is then remembered until the token expires."""
    keys = KeySet.import_key_set(_get_json(config["jwks_uri"]))  # type: ignore[arg-type]
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError):
        raise SsoRefusal("bad_signature") from None
    claims = dict(token.claims)
    issuer = provider.oidc_issuer.rstrip("/")
    if str(claims.get("iss", "")).rstrip("/") != issuer:
        raise SsoRefusal("wrong_audience")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if provider.oidc_client_id not in audiences:
        raise SsoRefusal("wrong_audience")
    if len(audiences) > 1 and claims.get("azp") != provider.oidc_client_id:
        raise SsoRefusal("wrong_audience")
    now = time.time()
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or expires + LEEWAY < now:
        raise SsoRefusal("expired")
    issued = claims.get("iat")
    if isinstance(issued, int | float) and issued - LEEWAY > now:
        raise SsoRefusal("expired")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(
        claims["nonce"], nonce
    ):
        raise SsoRefusal("replayed")
    if not isinstance(claims.get("sub"), str):
        raise SsoRefusal("bad_signature")
    replay_guard(
        key=f"oidc:{issuer}:{nonce}",
        expires_at=dt.datetime.fromtimestamp(expires + LEEWAY, tz=dt.UTC),
    )
    return claims
