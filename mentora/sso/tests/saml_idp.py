"""A SAML 2.0 identity provider built on pysaml2's own IdP (`saml2.server.Server`), served
on 127.0.0.1 from a thread for the single sign-on tests. It signs every assertion with a
key made for the run; the test sets who is signed in at the provider, and may make it
answer for the wrong audience or with an assertion that has already expired."""

from __future__ import annotations

import html
import re
import shutil
import socketserver
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_UNSPECIFIED, NameID
from saml2.server import Server

from mentora.sso.tests.keys import key_and_certificate


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class SamlIdp:
    def __init__(self, workdir: Path) -> None:
        key, certificate = key_and_certificate("Test SAML identity provider")
        self.key_file = workdir / "idp.key"
        self.cert_file = workdir / "idp.crt"
        self.key_file.write_text(key)
        self.cert_file.write_text(certificate)
        self.http = make_server(
            "127.0.0.1", 0, self.app, server_class=_Server, handler_class=_Quiet
        )
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.entity_id = f"{self.base}/idp/metadata"
        # Who is signed in at the provider, by name, and the attributes it releases.
        self.users: dict[str, dict[str, list[str]]] = {}
        self.signed_in = ""
        self.sp_metadata: list[str] = []
        self.lifetime_minutes = 5
        self.audience: str | None = None
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()

    def _config(self) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": shutil.which("xmlsec1"),
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.base}/idp/sso", BINDING_HTTP_REDIRECT)
                            ]
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": self.lifetime_minutes},
                                "attribute_restrictions": None,
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_UNSPECIFIED],
                    }
                },
                "metadata": {"inline": self.sp_metadata} if self.sp_metadata else {},
                "allow_unknown_attributes": True,
            }
        )
        return config

    def metadata(self) -> str:
        """The provider's metadata, as an organisation admin would paste it."""
        return str(entity_descriptor(self._config()))

    def answer(self, query: str) -> dict[str, str]:
        """The form the provider would post back for the request in `query`."""
        server = Server(config=self._config())
        fields = parse_qs(query)
        request = server.parse_authn_request(fields["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = request.message
        sp_entity_id = message.issuer.text
        acs = message.assertion_consumer_service_url
        response = server.create_authn_response(
            identity=self.users[self.signed_in],
            in_response_to=message.id,
            destination=acs,
            sp_entity_id=self.audience or sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text=self.signed_in),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_assertion=True,
            sign_response=False,
        )
        post = server.apply_binding(
            BINDING_HTTP_POST, str(response), acs, fields["RelayState"][0], response=True
        )
        page = post["data"]
        values = dict(re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', page))
        return {"acs": acs, **{k: html.unescape(v) for k, v in values.items()}}

    def app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] != "/idp/sso":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        form = self.answer(environ.get("QUERY_STRING", ""))
        page = (
            f'<form method="post" action="{html.escape(form["acs"])}">'
            f'<input type="hidden" name="SAMLResponse" value="{html.escape(form["SAMLResponse"])}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(form["RelayState"])}">'
            "</form>"
        )
        start_response("200 OK", [("Content-Type", "text/html")])
        return [page.encode()]
