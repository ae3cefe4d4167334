"""Start the test OpenID provider: `python -m mentora.sso.tests.oidc_idp.serve`.

Reads IDP_DIR (a scratch folder), IDP_PRIVATE_KEY (PEM), IDP_SETUP (JSON: users and
clients); binds a free port on 127.0.0.1 first, so the issuer can name it, then prints
"READY <port>" and serves until killed."""

import json
import os
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    server = make_server(
        "127.0.0.1", 0, lambda e, s: [], server_class=Server, handler_class=QuietHandler
    )
    port = server.server_address[1]
    os.environ["IDP_ISSUER"] = f"http://127.0.0.1:{port}/o"
    os.environ["DJANGO_SETTINGS_MODULE"] = "mentora.sso.tests.oidc_idp.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    setup = json.loads(os.environ["IDP_SETUP"])
    for user in setup["users"]:
        User.objects.create_user(
            username=user["username"],
            password=user["password"],
            email=user["email"],
            first_name=user.get("employee_id", ""),
        )
    for client in setup["clients"]:
        Application.objects.create(
            name=client["client_id"],
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    server.set_app(get_wsgi_application())
    print(f"READY {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
