"""The members list and the audit log sort, filter and page, and keep each other's links."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from conftest import PERSONAS
from mentora.core.models import AuditEntry


def _emails(content: str) -> list[str]:
    return re.findall(r"<td>([\w.+-]+@[\w.-]+)</td>", content)


def test_the_members_sort_by_role_and_back(client_for: Any, personas: Any) -> None:
    client = client_for(personas.org_admin)
    url = reverse("organisation_members", args=[personas.organisation.slug])
    by_email = _emails(client.get(url).content.decode())
    assert by_email == sorted(by_email) and len(by_email) >= 6
    page = client.get(url, {"sort": "role"}).content.decode()
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
    backwards = client.get(url, {"sort": "email", "dir": "desc"}).content.decode()
    assert _emails(backwards) == list(reversed(by_email))
    assert 'aria-sort="descending"' in backwards


def test_the_members_filter_by_role_and_a_forged_sort_is_ignored(
    client_for: Any, personas: Any
) -> None:
    client = client_for(personas.org_admin)
    url = reverse("organisation_members", args=[personas.organisation.slug])
    page = client.get(url, {"role": "mentor", "sort": "user__password"})
    assert page.status_code == 200
    content = page.content.decode()
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


def _audit(count: int) -> None:
    AuditEntry.objects.bulk_create(
        AuditEntry(action=f"demo.step{n % 3}", actor_email=f"user{n:02}@example.org")
        for n in range(count)
    )


def test_the_audit_log_sorts_by_who_and_pages_with_its_filter(
    client_for: Any, personas: Any
) -> None:
    _audit(60)
    client = client_for(personas.admin)
    url = reverse("audit_log")
    first = client.get(url, {"action": "demo.", "sort": "who"}).content.decode()
    emails = _emails(first)
    assert emails[:3] == ["user00@example.org", "user01@example.org", "user02@example.org"]
    assert len(emails) == 50
    assert 'href="?action=demo.&amp;sort=who&amp;page=2"' in first
    assert '<th scope="col" aria-sort="ascending" class="sortable">' in first
    second = client.get(url, {"action": "demo.", "sort": "who", "page": "2"}).content.decode()
    assert _emails(second) == [f"user{n:02}@example.org" for n in range(50, 60)]
    step = client.get(url, {"action": "demo.step1", "sort": "who", "dir": "desc"}).content.decode()
    assert _emails(step)[0] == "user58@example.org"
    assert all(int(e[4:6]) % 3 == 1 for e in _emails(step))


def test_the_audit_log_is_newest_first_and_a_forged_sort_changes_nothing(
    client_for: Any, personas: Any
) -> None:
    _audit(3)
    client = client_for(personas.admin)
    url = reverse("audit_log")
    default = _emails(client.get(url, {"action": "demo."}).content.decode())
    # Created together: the newest row (the highest key) first.
    assert default == ["user02@example.org", "user01@example.org", "user00@example.org"]
    forged = client.get(url, {"action": "demo.", "sort": "changes", "dir": "up"})
    assert forged.status_code == 200
    assert _emails(forged.content.decode()) == default


@pytest.mark.parametrize("who", PERSONAS)
def test_only_platform_admins_read_the_sorted_audit_log(
    client_for: Any, personas: Any, who: str
) -> None:
    _audit(1)
    response = client_for(getattr(personas, who)).get(reverse("audit_log"), {"sort": "who"})
    plain = client_for(getattr(personas, who)).get(reverse("audit_log"))
    assert response.status_code == plain.status_code == (200 if who == "admin" else 404)
    assert ("user00@example.org" in response.content.decode()) == (who == "admin")
