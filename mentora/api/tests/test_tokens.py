"""API tokens: made on the pages, shown once, stored hashed, scoped, revocable, limited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from conftest import audited
from mentora.accounts.models import Membership, Role
from mentora.api.models import ApiToken, token_hash
from mentora.api.services import token_create
from mentora.api.tests.conftest import api, bearer  # noqa: F401
from mentora.api.throttling import TokenRateThrottle
from mentora.core.models import AuditEntry

ORGANISATIONS = "/api/v1/organisations/"


def _made(response: Any) -> str:
    text = response.content.decode()
    start = text.index("mnt_", text.index("Your new token"))
    return text[start : text.index("<", start)]


def test_a_personal_token_is_shown_once_and_stored_only_as_its_hash(
    personas: Any, client_for: Any
) -> None:
    client = client_for(personas.mentor)
    response = client.post(
        reverse("personal_tokens"), {"name": "My script", "scopes": ["pairs:read"]}
    )
    text = _made(response)
    token = ApiToken.objects.get()
    assert (token.user, token.organisation, token.scopes) == (personas.mentor, None, ["pairs:read"])
    assert token.hashed == token_hash(text) and text not in token.hashed
    assert text.startswith(f"mnt_{token.prefix}_")
    assert audited("api.token.create") == [str(token.pk)]
    assert text not in str(list(AuditEntry.objects.values_list("changes", flat=True)))
    # Never again: the list shows the prefix only.
    again = client.get(reverse("personal_tokens")).content.decode()
    assert text not in again and f"mnt_{token.prefix}" in again and "My script" in again


def test_a_token_needs_a_name_and_a_known_scope(personas: Any, client_for: Any) -> None:
    client = client_for(personas.mentor)
    blank = client.post(reverse("personal_tokens"), {"name": "  ", "scopes": ["pairs:read"]})
    unknown = client.post(reverse("personal_tokens"), {"name": "x", "scopes": ["pairs:write"]})
    assert "This field is required." in blank.content.decode()
    assert "is not one of the available choices" in unknown.content.decode()
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_refused_at_once(personas: Any, client_for: Any, api: Any) -> None:
    token, text = token_create(actor=personas.mentor, name="x", scopes=["people:read"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {text}"}
    assert api("get", ORGANISATIONS, headers).status_code == 200
    client = client_for(personas.mentor)
    url = reverse("personal_token_revoke", args=[token.pk])
    client.post(url)
    assert api("get", ORGANISATIONS, headers).status_code == 200, "revoking asks for the tick"
    client.post(url, {"confirm": "on"})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert audited("api.token.revoke") == [str(token.pk)]
    refused = api("get", ORGANISATIONS, headers)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "This token is not valid or was revoked."}


@pytest.mark.parametrize("who", ["manager", "outsider"])
def test_nobody_revokes_someone_elses_personal_token(
    personas: Any, client_for: Any, who: str
) -> None:
    token, _text = token_create(actor=personas.mentor, name="x", scopes=["people:read"])
    url = reverse("personal_token_revoke", args=[token.pk])
    response = client_for(getattr(personas, who)).post(url, {"confirm": "on"})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    "who, code", [("org_admin", 200), ("manager", 403), ("mentor", 403), ("outsider", 404)]
)
def test_the_organisation_tokens_page_is_for_its_administrators(
    personas: Any, client_for: Any, who: str, code: int
) -> None:
    client = client_for(getattr(personas, who))
    url = reverse("organisation_tokens", args=["acme"])
    assert client.get(url).status_code == code
    made = client.post(url, {"name": "HR sync", "scopes": ["people:read"]})
    assert made.status_code == (201 if code == 200 else code)
    assert ApiToken.objects.filter(organisation=personas.organisation).count() == (
        1 if code == 200 else 0
    )


def test_last_use_is_shown(personas: Any, client_for: Any, api: Any) -> None:
    token, text = token_create(actor=personas.mentor, name="Reader", scopes=["people:read"])
    page = client_for(personas.mentor).get(reverse("personal_tokens")).content.decode()
    assert "Never" in page
    api("get", ORGANISATIONS, {"HTTP_AUTHORIZATION": f"Bearer {text}"})
    token.refresh_from_db()
    assert token.last_used_at is not None
    page = client_for(personas.mentor).get(reverse("personal_tokens")).content.decode()
    assert "Never" not in page


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer mnt_deadbeef_nothing", "Bearer a b", "Bearer mnt__x", "Token ²"],
)
def test_a_malformed_or_unknown_token_is_refused(personas: Any, api: Any, header: str) -> None:
    assert api("get", ORGANISATIONS, {"HTTP_AUTHORIZATION": header}).status_code == 401


def test_without_a_token_or_session_the_api_says_who_you_must_be(client: Any) -> None:
    response = client.get(ORGANISATIONS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_scope_limits_a_token_to_its_area_and_mode(personas: Any, api: Any) -> None:
    people_only = bearer(personas.org_admin, ["people:read"])
    assert api("get", ORGANISATIONS, people_only).status_code == 200
    assert api("get", "/api/v1/programmes/", people_only).status_code == 403
    reader = bearer(personas.org_admin, ["programmes:read"])
    assert api("get", "/api/v1/programmes/", reader).status_code == 200
    # Reading a participant's answers is allowed; changing their status is not.
    refused = api("post", "/api/v1/participants/999/status/", reader, {"status": "approved"})
    assert refused.status_code == 403


def test_an_organisation_token_reaches_only_its_organisation(personas: Any, api: Any) -> None:
    # The outsider administers the other organisation; their token is for it alone.
    theirs = bearer(personas.outsider, organisation=personas.other_organisation)
    assert [o["slug"] for o in api("get", ORGANISATIONS, theirs).json()["results"]] == ["other"]
    assert api("get", "/api/v1/organisations/acme/people/", theirs).status_code == 404
    # A platform admin's organisation token is kept to that organisation too.
    admins = bearer(personas.admin, organisation=personas.other_organisation)
    assert api("get", "/api/v1/organisations/acme/people/", admins).status_code == 404
    assert api("get", "/api/v1/organisations/other/people/", admins).status_code == 200
    everything = bearer(personas.admin)
    assert api("get", "/api/v1/organisations/acme/people/", everything).status_code == 200


def test_an_organisation_token_stops_when_its_maker_stops_being_administrator(
    personas: Any, api: Any
) -> None:
    headers = bearer(personas.org_admin, organisation=personas.organisation)
    assert api("get", ORGANISATIONS, headers).status_code == 200
    Membership.objects.filter(user=personas.org_admin, role=Role.ORG_ADMIN).update(
        role=Role.PROGRAMME_MANAGER
    )
    assert api("get", ORGANISATIONS, headers).status_code == 401


def test_each_token_is_rate_limited_on_its_own(personas: Any, api: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    cache.clear()
    first, second = bearer(personas.mentor), bearer(personas.mentor)
    codes = [api("get", ORGANISATIONS, first).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert api("get", ORGANISATIONS, second).status_code == 200
    cache.clear()
