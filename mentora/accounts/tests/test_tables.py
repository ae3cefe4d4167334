"""The members list and the audit log sort, filter and page, and keep each other's links."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from conftest import PERSONAS
from mentora.core.models import AuditEntry


def _emails(content: str) -> list[str]:
    return re.findall(r"<td>([\w.+-]+@[\w.-]+)</td>", content)


Read = Callable[..., str]


def _reader(client: Any, url: str) -> Read:
    """The page at `url` as `client` reads it, with the query given as keywords."""

    def read(**query: str) -> str:
        response = client.get(url, query)
        assert response.status_code == 200
        content: str = response.content.decode()
        return content

    return read


@pytest.fixture
def members(client_for: Any, personas: Any) -> Read:
    """The members list as an organisation admin reads it."""
    return _reader(
        client_for(personas.org_admin),
        reverse("organisation_members", args=[personas.organisation.slug]),
    )


@pytest.fixture
def audit(client_for: Any, personas: Any) -> Read:
    """The audit log as a platform admin reads it."""
    return _reader(client_for(personas.admin), reverse("audit_log"))


def test_the_members_sort_by_role_and_back(members: Read) -> None:
    by_email = _emails(members())
    assert by_email == sorted(by_email) and len(by_email) >= 6
    page = members(sort="role")
    roles = re.findall(
        r"<td>(Organisation admin|Programme manager|Sponsor|Mentor|Mentee|Line manager)</td>", page
    )
    codes = {
        "Organisation admin": "org_admin",
        "Programme manager": "programme_manager",
        "Sponsor": "sponsor",
        "Mentor": "mentor",
        "Mentee": "mentee",
        "Line manager": "line_manager",
    }
    assert [codes[r] for r in roles] == sorted(codes[r] for r in roles)
    backwards = members(sort="email", dir="desc")
    assert _emails(backwards) == list(reversed(by_email))
    assert 'aria-sort="descending"' in backwards


def test_the_members_filter_by_role_and_a_forged_sort_is_ignored(
    members: Read, personas: Any
) -> None:
    content = members(role="mentor", sort="user__password")
    assert _emails(content) == [personas.mentor.email]
    assert 'href="?role=mentor&amp;sort=name&amp;dir=asc"' in content


@pytest.mark.parametrize("who", PERSONAS)
def test_who_may_read_the_sorted_members_list(client_for: Any, personas: Any, who: str) -> None:
    url = reverse("organisation_members", args=[personas.organisation.slug])
    response = client_for(getattr(personas, who)).get(url, {"sort": "email", "q": "test"})
    plain = client_for(getattr(personas, who)).get(url)
    assert response.status_code == plain.status_code
    if response.status_code == 200:
        assert personas.mentor.email in response.content.decode()
    else:
        assert personas.mentor.email not in response.content.decode()


def _audit_entries(count: int) -> None:
    AuditEntry.objects.bulk_create(
        AuditEntry(action=f"demo.step{n % 3}", actor_email=f"user{n:02}@example.org")
        for n in range(count)
    )


def test_the_audit_log_sorts_by_who_and_pages_with_its_filter(audit: Read) -> None:
    _audit_entries(60)
    first = audit(action="demo.", sort="who")
    emails = _emails(first)
    assert emails[:3] == ["user00@example.org", "user01@example.org", "user02@example.org"]
    assert len(emails) == 50
    assert 'href="?action=demo.&amp;sort=who&amp;page=2"' in first
    assert '<th scope="col" aria-sort="ascending" class="sortable">' in first
    second = audit(action="demo.", sort="who", page="2")
    assert _emails(second) == [f"user{n:02}@example.org" for n in range(50, 60)]
    step = audit(action="demo.step1", sort="who", dir="desc")
    assert _emails(step)[0] == "user58@example.org"
    assert all(int(e[4:6]) % 3 == 1 for e in _emails(step))


def test_the_audit_log_is_newest_first_and_a_forged_sort_changes_nothing(audit: Read) -> None:
    _audit_entries(3)
    default = _emails(audit(action="demo."))
    # Created together: the newest row (the highest key) first.
    assert default == ["user02@example.org", "user01@example.org", "user00@example.org"]
    assert _emails(audit(action="demo.", sort="changes", dir="up")) == default


@pytest.mark.parametrize("who", PERSONAS)
def test_only_platform_admins_read_the_sorted_audit_log(
    client_for: Any, personas: Any, who: str
) -> None:
    _audit_entries(1)
    response = client_for(getattr(personas, who)).get(reverse("audit_log"), {"sort": "who"})
    plain = client_for(getattr(personas, who)).get(reverse("audit_log"))
    assert response.status_code == plain.status_code == (200 if who == "admin" else 404)
    assert ("user00@example.org" in response.content.decode()) == (who == "admin")
