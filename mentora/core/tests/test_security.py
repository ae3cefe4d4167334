from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from conftest import REPO
from mentora.accounts.models import User


def _settings_in_subprocess(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "MENTORA_TESTING"}
    }
    # An empty folder of its own, so a local.env that `make run` left in var/ plays no part.
    env = {"MENTORA_VAR_DIR": tempfile.mkdtemp(), **env}
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print({expression})"],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_use_secure_cookies_and_hsts() -> None:
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50},
        "s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0",
    )
    assert result.stdout.strip() == "False True True True", result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off() -> None:
    result = _settings_in_subprocess({}, "1")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_settings_make_run_wrote_for_the_checkout_apply_to_later_commands(
    tmp_path: Path,
) -> None:
    (tmp_path / "local.env").write_text("DEBUG=1\nSECRET_KEY=from-the-checkout\n")
    result = _settings_in_subprocess({"MENTORA_VAR_DIR": str(tmp_path)}, "s.DEBUG, s.SECRET_KEY")
    assert result.stdout.strip() == "True from-the-checkout", result.stderr


def test_debug_is_only_on_when_asked_for() -> None:
    assert _settings_in_subprocess({"DEBUG": "1"}, "s.DEBUG").stdout.strip() == "True"


def test_pages_carry_security_headers(client: Any, db: None) -> None:
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


def test_posts_without_a_csrf_token_are_refused(personas: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.org_admin)
    response = client.post(
        reverse("member_invite", args=["acme"]),
        {"email": "csrf@test.example", "role": "mentor", "language": "en"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="csrf@test.example").exists()


def test_repeated_failed_logins_lock_the_account_out_even_with_the_right_password(
    client: Any, personas: Any, settings: Any
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "mentee@test.example", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "mentee@test.example", "password": "pw"})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_few_failures_do_not_lock_anyone_out(client: Any, personas: Any) -> None:
    for _ in range(2):
        client.post(reverse("login"), {"username": "mentee@test.example", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "mentee@test.example", "password": "pw"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.mentee.pk)


def test_logout_needs_a_post(client_for: Any, personas: Any) -> None:
    client = client_for(personas.mentee)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_number_setting_that_is_not_a_whole_number_is_named_clearly() -> None:
    result = _settings_in_subprocess({"DEBUG": "1", "SESSION_IDLE_MINUTES": "²"}, "1")
    assert result.returncode != 0
    assert "SESSION_IDLE_MINUTES must be a whole number of at least 1" in result.stderr


def test_a_nul_character_in_a_request_is_refused_before_any_view(
    client_for: Any, personas: Any
) -> None:
    client = client_for(personas.manager)
    response = client.get(reverse("people_directory", args=["acme"]), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "cannot be read" in response.content.decode()
    response = client.post(reverse("account_settings"), {"full_name": "Ma\x00ja"})
    assert response.status_code == 400
    personas.manager.refresh_from_db()
    assert personas.manager.full_name == "manager"
