"""Every page that exists, for every persona: outsiders get 404, read-only roles 403 on writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import MANAGERS_ONLY, PERSONAS, WRITE, make_person
from mentora.accounts.models import Membership, Role


def _status(
    client_for: Any,
    personas: Any,
    who: str,
    method: str,
    url: str,
    data: dict[str, Any] | None = None,
) -> int:
    client = client_for(getattr(personas, who))
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    return response.status_code


READ_PAGES = {
    # page name -> expected status per persona
    "dashboard": dict.fromkeys(PERSONAS, 200),
    "account_settings": dict.fromkeys(PERSONAS, 200),
    "organisation_detail": {**dict.fromkeys(PERSONAS, 200), "outsider": 404},
    "organisation_members": MANAGERS_ONLY,
    "people_directory": MANAGERS_ONLY,
    "org_units": MANAGERS_ONLY,
    "audit_log": {**dict.fromkeys(PERSONAS, 404), "admin": 200},
}
ORG_PAGES = {"organisation_detail", "organisation_members", "people_directory", "org_units"}


@pytest.mark.parametrize("page", sorted(READ_PAGES))
@pytest.mark.parametrize("who", PERSONAS)
def test_each_persona_gets_the_right_answer_on_each_page(
    client_for: Any, personas: Any, page: str, who: str
) -> None:
    args = [personas.organisation.slug] if page in ORG_PAGES else []
    assert (
        _status(client_for, personas, who, "get", reverse(page, args=args)) == READ_PAGES[page][who]
    )


def test_person_page_follows_the_directory_rules(client_for: Any, personas: Any) -> None:
    url = reverse("person_detail", args=["acme", personas.people["junior"].pk])
    expected = READ_PAGES["people_directory"]
    for who in PERSONAS:
        assert _status(client_for, personas, who, "get", url) == expected[who], who


def test_a_person_of_another_organisation_is_not_found(client_for: Any, personas: Any) -> None:

    stranger = make_person(personas.other_organisation, "X1", "X", "Y")
    url = reverse("person_detail", args=["acme", stranger.pk])
    assert client_for(personas.manager).get(url).status_code == 404


@pytest.mark.parametrize("page", sorted(READ_PAGES))
def test_anonymous_visitors_are_sent_to_log_in(client: Any, personas: Any, page: str) -> None:
    args = [personas.organisation.slug] if page in ORG_PAGES else []
    response = client.get(reverse(page, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_organisation_looks_the_same_as_a_foreign_one(
    client_for: Any, personas: Any
) -> None:
    client = client_for(personas.mentor)
    missing = client.get(reverse("organisation_detail", args=["does-not-exist"]))
    foreign = client.get(reverse("organisation_detail", args=["other"]))
    assert missing.status_code == foreign.status_code == 404


# What each persona gets from a form that only an organisation's administrators may send.
ORG_ADMINS_WRITE = {**WRITE, "manager": 403}

INVITE = {
    "email": "new@test.example",
    "full_name": "New Person",
    "role": Role.MENTEE,
    "language": "da",
}


@pytest.mark.parametrize(("who", "expected"), ORG_ADMINS_WRITE.items())
def test_only_organisation_admins_invite_members(
    client_for: Any, personas: Any, who: str, expected: int
) -> None:
    url = reverse("member_invite", args=["acme"])
    assert _status(client_for, personas, who, "post", url, INVITE) == expected
    invited = Membership.objects.filter(user__email="new@test.example", organisation__slug="acme")
    assert invited.exists() == (expected == 302)


@pytest.mark.parametrize(("who", "expected"), ORG_ADMINS_WRITE.items())
def test_only_organisation_admins_remove_roles(
    client_for: Any, personas: Any, who: str, expected: int
) -> None:
    membership = Membership.objects.get(user=personas.mentor)
    url = reverse("membership_revoke", args=["acme", membership.pk])
    assert _status(client_for, personas, who, "post", url, {"confirm": "on"}) == expected
    assert Membership.objects.filter(pk=membership.pk).exists() == (expected != 302)


def test_a_membership_of_another_organisation_cannot_be_revoked_through_this_one(
    client_for: Any, personas: Any
) -> None:
    foreign = Membership.objects.get(user=personas.outsider)
    url = reverse("membership_revoke", args=["acme", foreign.pk])
    assert client_for(personas.org_admin).post(url, {"confirm": "on"}).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("who", PERSONAS)
def test_django_admin_is_for_platform_admins_only(client_for: Any, personas: Any, who: str) -> None:
    response = client_for(getattr(personas, who)).get(reverse("admin:index"))
    if who == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_organisation_staff_with_is_staff_flag_still_cannot_use_django_admin(
    client_for: Any, personas: Any
) -> None:
    personas.org_admin.is_staff = True
    personas.org_admin.save()
    response = client_for(personas.org_admin).get(reverse("admin:index"))
    assert response.status_code == 302


def test_sensitive_attributes_are_shown_only_to_trusted_staff(
    client_for: Any, personas: Any
) -> None:
    url = reverse("person_detail", args=["acme", personas.people["junior"].pk])
    untrusted = client_for(personas.manager).get(url)
    assert "female" not in untrusted.content.decode()
    Membership.objects.filter(user=personas.manager).update(sees_sensitive_attributes=True)
    trusted = client_for(personas.manager).get(url)
    assert "female" in trusted.content.decode()


def test_the_dashboard_shows_each_role_its_own_cards(client_for: Any, personas: Any) -> None:
    mentee_page = client_for(personas.mentee).get(reverse("dashboard")).content.decode()
    assert "Your learning" in mentee_page
    assert "Programmes you run" not in mentee_page
    manager_page = client_for(personas.manager).get(reverse("dashboard")).content.decode()
    assert "Programmes you run" in manager_page
    assert reverse("people_directory", args=["acme"]) in manager_page
    outsider_page = client_for(personas.outsider).get(reverse("dashboard")).content.decode()
    assert "Acme Energy" not in outsider_page
    admin_page = client_for(personas.admin).get(reverse("dashboard")).content.decode()
    assert reverse("audit_log") in admin_page


@pytest.mark.parametrize(
    ("who", "link"),
    [
        ("manager", "programme_list"),
        ("sponsor", "programme_list"),
        ("mentor", "my_matching"),
        ("mentee", "my_programmes"),
        ("line_manager", "line_manager_approvals"),
        ("line_manager", "team_goals"),
    ],
)
def test_the_dashboard_links_each_role_to_its_work(
    client_for: Any, personas: Any, who: str, link: str
) -> None:
    page = client_for(getattr(personas, who)).get(reverse("dashboard")).content.decode()
    assert reverse(link) in page


def test_removing_a_role_waits_for_the_tick(client_for: Any, personas: Any) -> None:
    membership = Membership.objects.get(user=personas.mentor)
    client = client_for(personas.org_admin)
    page = client.get(reverse("organisation_members", args=["acme"])).content.decode()
    assert 'name="confirm"' in page
    url = reverse("membership_revoke", args=["acme", membership.pk])
    refused = client.post(url, follow=True)
    assert "Nothing was changed: tick" in refused.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    client.post(url, {"confirm": "on"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
