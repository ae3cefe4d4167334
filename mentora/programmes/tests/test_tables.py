"""The programme list sorts, filters and pages; a participant's history is a timeline."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from mentora.programmes.models import Programme
from mentora.programmes.services import pipeline
from mentora.programmes.tests.conftest import apply, invite


def _names(content: str) -> list[str]:
    """The programme names in the list's rows, in order."""
    return re.findall(r'<td><a href="/programmes/\d+/">([^<]+)</a></td>', content)


def _programmes(setup: Any) -> None:
    org = setup.personas.organisation
    for name, kind in (("Zeta circle", "group"), ("Alpha pairs", "one_to_one")):
        Programme.objects.create(organisation=org, name=name, kind=kind)


def test_the_programme_list_sorts_by_the_column_asked_for(client_for: Any, setup: Any) -> None:
    _programmes(setup)
    client = client_for(setup.personas.org_admin)
    url = reverse("programme_list")
    assert _names(client.get(url, {"sort": "name"}).content.decode()) == [
        "Alpha pairs",
        "Graduate onboarding",
        "Zeta circle",
    ]
    page = client.get(url, {"sort": "name", "dir": "desc"}).content.decode()
    assert _names(page) == ["Zeta circle", "Graduate onboarding", "Alpha pairs"]
    assert re.search(r'<th scope="col" aria-sort="descending" class="sortable">', page)
    # By default the newest programmes come first, those without dates last.
    assert _names(client.get(url).content.decode())[0] == "Graduate onboarding"


def test_a_forged_sort_key_shows_the_list_in_its_default_order(client_for: Any, setup: Any) -> None:
    _programmes(setup)
    client = client_for(setup.personas.org_admin)
    url = reverse("programme_list")
    response = client.get(url, {"sort": "organisation__memberships__user__password", "dir": "x"})
    assert response.status_code == 200
    assert _names(response.content.decode()) == _names(client.get(url).content.decode())


def test_the_filter_narrows_the_list_and_the_sort_links_keep_it(
    client_for: Any, setup: Any
) -> None:
    _programmes(setup)
    client = client_for(setup.personas.org_admin)
    page = client.get(reverse("programme_list"), {"kind": "group", "sort": "name"})
    content = page.content.decode()
    assert _names(content) == ["Zeta circle"]
    assert 'href="?kind=group&amp;sort=name&amp;dir=desc"' in content
    # The filter form keeps the sort.
    assert '<input type="hidden" name="sort" value="name">' in content
    wrong = client.get(reverse("programme_list"), {"kind": "nonsense"}).content.decode()
    assert "Select a valid choice" in wrong
    assert len(_names(wrong)) == 3


def test_the_programme_list_pages_with_its_filter_and_sort(client_for: Any, setup: Any) -> None:
    org = setup.personas.organisation
    Programme.objects.bulk_create(
        Programme(organisation=org, name=f"Circle {n:02}", kind="group") for n in range(30)
    )
    client = client_for(setup.personas.org_admin)
    first = client.get(reverse("programme_list"), {"q": "Circle", "sort": "name", "dir": "desc"})
    content = first.content.decode()
    assert _names(content)[0] == "Circle 29" and len(_names(content)) == 25
    assert 'href="?q=Circle&amp;sort=name&amp;dir=desc&amp;page=2"' in content
    second = client.get(
        reverse("programme_list"), {"q": "Circle", "sort": "name", "dir": "desc", "page": "2"}
    )
    assert _names(second.content.decode()) == [f"Circle {n:02}" for n in range(4, -1, -1)]


def test_the_participant_history_is_a_timeline_for_those_running_the_programme(
    client_for: Any, setup: Any
) -> None:
    p = setup.personas
    invite(setup, setup.mentor_person, "mentor")
    mentor = apply(setup, "mentor", {})
    pipeline.participant_transition(
        participant=mentor, to_status="declined", reason="Too busy", actor=p.manager
    )
    url = reverse("participant_detail", args=[setup.programme.pk, mentor.pk])
    page = client_for(p.manager).get(url).content.decode()
    timeline = page[page.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert timeline.index("Invited") < timeline.index("Applied") < timeline.index("Declined")
    assert '<span class="badge is-bad">Declined</span>' in timeline
    assert "by manager" in timeline
    assert "<time " in timeline
    # The participant sees their own page, but not the history.
    own = client_for(p.mentor).get(url)
    assert own.status_code == 200
    assert 'class="timeline"' not in own.content.decode()
