"""Two-factor log-in: setting up an authenticator app, codes at log-in, recovery codes,
and the organisations and platform that require it. Codes come from RFC 6238 computed
here, independently of the library Mentora uses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import audited
from mentora.accounts.models import Organisation, RecoveryCode


def totp(secret_base32: str, *, at: float | None = None, step: int = 30) -> str:
    """RFC 6238 (HMAC-SHA1, 30-second steps, six digits), as an authenticator app does it."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def test_the_totp_helper_gives_the_rfc_6238_test_vector() -> None:
    # RFC 6238, appendix B: SHA-1 with the ASCII secret "12345678901234567890", at 59 s,
    # gives 94287082 in eight digits, so 287082 in six.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59) == "287082"


def _log_in(client: Client, email: str) -> object:
    return client.post("/login/", {"username": email, "password": "pw"})


def _secret(response) -> str:
    return re.search(r'<code class="secret">([A-Z2-7]+)</code>', response.content.decode()).group(1)


def _enrol(client: Client) -> tuple[str, list[str]]:
    """Set up an app on the account of `client`; its secret and the recovery codes shown."""
    page = client.get("/account/two-factor/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    secret = _secret(page)
    done = client.post("/account/two-factor/", {"code": totp(secret)})
    assert done.status_code == 200, done.content
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    return secret, codes


def test_enrolling_and_logging_in_with_a_code_from_the_app(personas) -> None:
    client = Client()
    _log_in(client, "mentor@test.example")
    secret, codes = _enrol(client)
    assert TOTPDevice.objects.get(user=personas.mentor).confirmed
    # Only fingerprints of the recovery codes are stored.
    stored = list(RecoveryCode.objects.values_list("digest", flat=True))
    assert len(stored) == 10 and not set(stored) & set(codes)
    assert audited("accounts.two_factor.enrol") == [str(personas.mentor.pk)]

    client = Client()
    response = _log_in(client, "mentor@test.example")
    assert response.status_code == 302
    # Nothing is open before the second step.
    blocked = client.get("/dashboard/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/login/verify/")
    # The code used to enrol is never accepted again, so give the next one (the app's clock
    # may run one step ahead).
    code = totp(secret, at=time.time() + 30)
    verified = client.post("/login/verify/", {"code": code, "next": "/dashboard/"})
    assert verified.status_code == 302 and verified["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    # The same code a second time, in another session, is refused.
    replay = Client()
    _log_in(replay, "mentor@test.example")
    assert replay.post("/login/verify/", {"code": code}).status_code == 400


def test_a_wrong_code_is_refused_and_too_many_are_throttled(personas, settings) -> None:
    settings.TWO_FACTOR_ATTEMPTS = 3
    client = Client()
    _log_in(client, "mentor@test.example")
    secret, _codes = _enrol(client)
    client = Client()
    _log_in(client, "mentor@test.example")
    right = totp(secret, at=time.time() + 30)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _attempt in range(3):
        refused = client.post("/login/verify/", {"code": wrong})
        assert refused.status_code == 400 and "not right" in refused.content.decode()
    assert client.get("/dashboard/").status_code == 302
    # Over the limit even the right code waits.
    throttled = client.post("/login/verify/", {"code": right})
    assert throttled.status_code == 429
    assert client.get("/dashboard/").status_code == 302


def test_a_wrong_code_does_not_turn_it_on(personas) -> None:
    client = Client()
    _log_in(client, "mentor@test.example")
    secret = _secret(client.get("/account/two-factor/"))
    right = totp(secret)
    response = client.post("/account/two-factor/", {"code": f"{(int(right) + 7) % 1_000_000:06d}"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.exists() and not RecoveryCode.objects.exists()


def test_a_recovery_code_works_once(personas) -> None:
    client = Client()
    _log_in(client, "mentor@test.example")
    _secret_key, codes = _enrol(client)
    first = Client()
    _log_in(first, "mentor@test.example")
    # Case and spaces do not matter when a code is typed in.
    ok = first.post("/login/verify/", {"code": codes[0].upper().replace("-", " ")})
    assert ok.status_code == 302
    assert first.get("/dashboard/").status_code == 200
    assert audited("accounts.two_factor.recovery_code_used") == [str(personas.mentor.pk)]
    again = Client()
    _log_in(again, "mentor@test.example")
    refused = again.post("/login/verify/", {"code": codes[0]})
    assert refused.status_code == 400
    assert again.get("/dashboard/").status_code == 302
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1


def test_an_organisation_requires_it_of_its_admins_and_managers_only(personas, client_for) -> None:
    acme: Organisation = personas.organisation
    admin = client_for(personas.org_admin)
    response = admin.post("/org/acme/security/", {"require_two_factor": "on"})
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.require_two_factor
    assert audited("accounts.organisation.update") == [str(acme.pk)]

    for who in ("manager", "org_admin"):
        client = Client()
        _log_in(client, getattr(personas, who).email)
        sent = client.get("/dashboard/")
        assert sent.status_code == 302 and sent["Location"].startswith("/account/two-factor/"), who
    # A mentor of the same organisation, and the other organisation's admin, go straight in.
    for email in ("mentor@test.example", "outsider@test.example"):
        client = Client()
        _log_in(client, email)
        assert client.get("/dashboard/").status_code == 200, email

    # Once set up, the manager is in, and cannot turn it off.
    client = Client()
    _log_in(client, "manager@test.example")
    _enrol(client)
    assert client.get("/dashboard/").status_code == 200
    client.post("/account/two-factor/off/", {"confirm": "on"})
    assert TOTPDevice.objects.filter(user=personas.manager).exists()


def test_only_an_organisation_admin_changes_the_rule(personas, client_for) -> None:
    assert client_for(personas.outsider).get("/org/acme/security/").status_code == 404
    assert client_for(personas.mentor).get("/org/acme/security/").status_code == 403
    manager = client_for(personas.manager)
    assert manager.get("/org/acme/security/").status_code == 200
    assert manager.post("/org/acme/security/", {"require_two_factor": "on"}).status_code == 403
    outsider = client_for(personas.outsider)
    assert outsider.post("/org/acme/security/", {"require_two_factor": "on"}).status_code == 404
    personas.organisation.refresh_from_db()
    assert not personas.organisation.require_two_factor


@pytest.mark.parametrize("required", [True, False])
def test_the_platform_admin_needs_it_when_the_installation_says_so(
    personas, settings, required
) -> None:
    settings.TWO_FACTOR_FOR_PLATFORM_ADMINS = required
    client = Client()
    _log_in(client, "admin@test.example")
    response = client.get("/dashboard/")
    if required:
        assert response.status_code == 302 and response["Location"].startswith(
            "/account/two-factor/"
        )
    else:
        assert response.status_code == 200


def test_the_platform_admin_rule_follows_debug() -> None:
    """On by default whenever DEBUG is off outside the tests (see config/settings.py)."""
    import os
    import subprocess
    import sys

    from conftest import REPO

    def setting(debug: str) -> str:
        env = {k: v for k, v in os.environ.items() if k not in ("MENTORA_TESTING", "DEBUG")}
        env.update(DEBUG=debug, SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="config.settings")
        script = "from django.conf import settings; print(settings.TWO_FACTOR_FOR_PLATFORM_ADMINS)"
        return subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); " + script],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert setting("0") == "True"
    assert setting("1") == "False"


def test_turning_it_off_and_renewing_codes(personas) -> None:
    client = Client()
    _log_in(client, "mentor@test.example")
    _secret_key, codes = _enrol(client)
    renewed = client.post("/account/two-factor/recovery-codes/", {"confirm": "on"})
    assert renewed.status_code == 200
    new_codes = renewed.context["codes"]
    assert set(new_codes).isdisjoint(codes) and RecoveryCode.objects.count() == 10
    client.post("/account/two-factor/off/", {"confirm": "on"})
    assert not TOTPDevice.objects.exists() and not RecoveryCode.objects.exists()
    again = Client()
    _log_in(again, "mentor@test.example")
    assert again.get("/dashboard/").status_code == 200
