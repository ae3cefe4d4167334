"""Log-in and sessions: throttles that every spelling and client count against, and
sessions that end when idle and at their maximum age."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from mentora.accounts.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from mentora.accounts.models import ThrottleEvent
from mentora.accounts.throttling import client_address, login_name


def spellings(email: str, letters: int) -> list[str]:
    """2^letters spellings of `email`: every upper/lower mix of its first letters, each
    padded with spaces on one side or the other."""
    variants = []
    for n, cases in enumerate(itertools.product((str.lower, str.upper), repeat=letters)):
        head = "".join(case(ch) for case, ch in zip(cases, email, strict=False))
        padded = head + email[letters:]
        variants.append(f"  {padded}" if n % 2 else f"{padded} ")
    return variants


def test_changing_case_and_spaces_buys_no_extra_attempts(
    client: Any, personas: Any, settings: Any
) -> None:
    variants = spellings("mentee@test.example", letters=6)
    assert len(set(variants)) == 64
    for variant in variants[: settings.AXES_FAILURE_LIMIT]:
        client.post(reverse("login"), {"username": variant, "password": "wrong"})
    for variant in variants[settings.AXES_FAILURE_LIMIT :]:
        response = client.post(reverse("login"), {"username": variant, "password": "pw"})
        assert response.status_code == 429, variant
    assert "_auth_user_id" not in client.session


def test_every_spelling_of_a_login_name_is_the_same_name() -> None:
    assert {login_name(v) for v in spellings("mentee@test.example", 8)} == {"mentee@test.example"}
    # Full-width letters look the same to a person and count the same.
    assert login_name("ｍentee@test.example") == "mentee@test.example"


def test_the_right_spelling_still_logs_in_below_the_limit(client: Any, personas: Any) -> None:
    response = client.post(
        reverse("login"), {"username": " MENTEE@Test.Example ", "password": "pw"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.mentee.pk)


def reset(client: Any, email: str, address: str = "10.0.0.1") -> Any:
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_resets_are_limited_per_address_without_saying_so(
    client: Any, personas: Any, settings: Any
) -> None:
    settings.PASSWORD_RESETS_PER_ADDRESS = 2
    responses = [
        reset(client, spelling, address=f"10.0.0.{n}")
        for n, spelling in enumerate(
            ["mentee@test.example", "Mentee@test.example ", "MENTEE@TEST.EXAMPLE"]
        )
    ]
    # Every request looks the same to the asker; only two links were sent.
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert len(mail.outbox) == 2
    assert not ThrottleEvent.objects.filter(key__contains="mentee").exists()


def test_password_resets_are_limited_per_client(client: Any, personas: Any, settings: Any) -> None:
    settings.PASSWORD_RESETS_PER_CLIENT = 3
    for n in range(3):
        assert reset(client, f"nobody{n}@test.example").status_code == 302
    refused = reset(client, "mentee@test.example")
    assert refused.status_code == 429
    assert "Too many password-reset requests" in refused.content.decode()
    assert mail.outbox == []
    # Another client is not held back by the first.
    assert reset(client, "mentee@test.example", address="10.0.0.2").status_code == 302
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "203.0.113.9, 198.51.100.7", "203.0.113.9"),
        (2, "198.51.100.7", "192.0.2.1"),
        (1, "not-an-address", "192.0.2.1"),
    ],
)
def test_the_client_address_comes_from_the_trusted_proxies_only(
    settings: Any, proxies: int, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_an_idle_session_ends(client: Any, personas: Any, settings: Any) -> None:
    client.force_login(personas.mentee)
    assert client.get(reverse("dashboard")).status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 - 5
    session.save()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_busy_session_still_ends_at_its_maximum_age(
    client: Any, personas: Any, settings: Any
) -> None:
    client.force_login(personas.mentee)
    client.get(reverse("dashboard"))
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session[SESSION_LAST_SEEN] = int(time.time())
    session.save()
    assert client.get(reverse("dashboard")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_session_in_use_goes_on(client: Any, personas: Any, settings: Any) -> None:
    client.force_login(personas.mentee)
    client.get(reverse("dashboard"))
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 + 120
    session.save()
    assert client.get(reverse("dashboard")).status_code == 200
    # The request counted as activity.
    assert client.session[SESSION_LAST_SEEN] >= int(time.time()) - 5


def test_a_fresh_client_is_not_locked_out_by_someone_else(personas: Any, settings: Any) -> None:
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": "mentee@test.example", "password": "x"})
    colleague = Client(REMOTE_ADDR="10.1.1.1")
    response = colleague.post(
        reverse("login"), {"username": "mentee@test.example", "password": "pw"}
    )
    assert response.status_code == 302
    assert colleague.session["_auth_user_id"] == str(personas.mentee.pk)
