"""The identity providers the single sign-on tests sign in against, each started once per
test session on 127.0.0.1 with keys made for the run: an OpenID provider (a small Django
project with django-oauth-toolkit, in a subprocess) and pysaml2's SAML identity provider
(in a thread)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests

from mentora.sso.tests.keys import key_and_certificate
from mentora.sso.tests.saml_idp import SamlIdp

ROOT = Path(__file__).resolve().parents[3]
CALLBACK = "http://testserver/sso/acme/oidc/callback/"
SECRET = "a-client-secret-made-for-the-tests"
PASSWORD = "idp-password"
# The people the OpenID provider knows: (login, e-mail, employee id).
OIDC_USERS = [
    ("ada", "ada@acme.example", "E10"),
    ("ghost", "ghost@acme.example", "E99"),
    ("jo", "jo.private@elsewhere.example", "E3"),
]


@dataclass
class OidcIdp:
    issuer: str

    def sign_in(self, location: str, username: str) -> str:
        """Follow the authorisation request in `location` through the provider's log-in
        as `username`; where the provider sends the browser back (path and query)."""
        browser = requests.Session()
        answer = browser.get(location, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        login_url = urljoin(location, answer.headers["Location"])
        page = browser.get(login_url, timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None
        answer = browser.post(
            login_url,
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1),
                "next": parse_qs(urlparse(login_url).query)["next"][0],
            },
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302, answer.text
        answer = browser.get(
            urljoin(login_url, answer.headers["Location"]), allow_redirects=False, timeout=10
        )
        assert answer.status_code == 302, answer.text
        back = urlparse(answer.headers["Location"])
        assert back.netloc == "testserver"
        return f"{back.path}?{back.query}"

    def exchange(self, back: str, *, client_id: str, verifier: str) -> str:
        """The ID token for the code in `back`, fetched as the relying party would."""
        code = parse_qs(urlparse(back).query)["code"][0]
        answer = requests.post(
            f"{self.issuer}/token/",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "code_verifier": verifier,
            },
            auth=(client_id, SECRET),
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["id_token"])


@pytest.fixture(scope="session")
def oidc_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcIdp]:
    workdir = tmp_path_factory.mktemp("oidc-idp")
    key, _certificate = key_and_certificate("Test OpenID provider")
    setup = {
        "users": [
            {"username": u, "password": PASSWORD, "email": e, "employee_id": i}
            for u, e, i in OIDC_USERS
        ],
        "clients": [
            {"client_id": c, "client_secret": SECRET, "redirect_uris": [CALLBACK]}
            for c in ("mentora", "stale")
        ],
    }
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MENTORA_"))},
        "IDP_DIR": str(workdir),
        "IDP_PRIVATE_KEY": key,
        "IDP_SETUP": json.dumps(setup),
        "PYTHONPATH": str(ROOT),
    }
    errors = (workdir / "stderr.txt").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "mentora.sso.tests.oidc_idp.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError((workdir / "stderr.txt").read_text())
    try:
        yield OidcIdp(issuer=f"http://127.0.0.1:{line.split()[1]}/o")
    finally:
        process.terminate()
        process.wait(timeout=10)
        errors.close()


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamlIdp]:
    idp = SamlIdp(tmp_path_factory.mktemp("saml-idp"))
    idp.users = {
        "ada": {"email": ["ada@acme.example"], "employee_id": ["E10"]},
        "ghost": {"email": ["ghost@acme.example"], "employee_id": ["E99"]},
    }
    try:
        yield idp
    finally:
        idp.close()


@pytest.fixture
def saml_defaults(saml_idp: SamlIdp) -> Iterator[SamlIdp]:
    """The SAML provider as a test found it, put back afterwards."""
    yield saml_idp
    saml_idp.lifetime_minutes = 5
    saml_idp.audience = None
    saml_idp.signed_in = ""
    saml_idp.sp_metadata = []


def people(personas: Any) -> dict[str, Any]:
    """Ada is in Acme's HR data with an e-mail address at acme.example but no account."""
    from conftest import make_person

    return {
        "ada": make_person(
            personas.organisation, "E10", "Ada", "Newcomer", email="ada@acme.example"
        )
    }
