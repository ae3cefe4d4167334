"""The health list sorts and filters; the pair space's meetings held are a timeline."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from mentora.relationships.models import Pair
from mentora.relationships.tests.test_health import held
from mentora.relationships.tests.test_workspace import SECRET, pair  # noqa: F401


def _mentees(content: str, pairs: list[Pair]) -> list[str]:
    """The mentees' names in the order their rows come."""
    names = [p.mentee.person.full_name for p in pairs]
    body = content[content.index("<tbody>") :]
    return sorted((n for n in names if n in body), key=body.index)


def test_the_health_list_sorts_by_pair_and_by_meetings_held(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    pairs = list(Pair.objects.active().filter(programme=cohort.programme))
    assert len(pairs) >= 2
    held(pair, 3)
    held(pair, 10)
    client = client_for(cohort.personas.manager)
    url = reverse("pair_health", args=[cohort.programme.pk])
    by_last_name = sorted(
        pairs, key=lambda p: (p.mentee.person.last_name, p.mentee.person.first_name)
    )
    names = [p.mentee.person.full_name for p in by_last_name]
    assert _mentees(client.get(url, {"sort": "pair"}).content.decode(), pairs) == names
    page = client.get(url, {"sort": "pair", "dir": "desc"}).content.decode()
    assert _mentees(page, pairs) == names[::-1]
    assert '<th scope="col" aria-sort="descending" class="sortable">' in page
    most = client.get(url, {"sort": "held", "dir": "desc"}).content.decode()
    assert _mentees(most, pairs)[0] == pair.mentee.person.full_name
    fewest = client.get(url, {"sort": "held"}).content.decode()
    assert _mentees(fewest, pairs)[-1] == pair.mentee.person.full_name
    assert SECRET not in most


def test_the_health_list_filters_by_light_and_keeps_the_filter_when_sorting(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    pairs = list(Pair.objects.active().filter(programme=cohort.programme))
    client = client_for(cohort.personas.manager)
    url = reverse("pair_health", args=[cohort.programme.pk])
    everyone = client.get(url).content.decode()
    lights = {
        p.mentee.person.full_name: light
        for p in pairs
        for light in re.findall(
            rf"{re.escape(p.mentee.person.full_name)}.*?badge light-(\w+)", everyone, re.S
        )[:1]
    }
    light = next(iter(lights.values()))
    page = client.get(url, {"light": light, "sort": "pair", "dir": "desc"}).content.decode()
    assert set(_mentees(page, pairs)) == {n for n, lit in lights.items() if lit == light}
    assert f'href="?light={light}&amp;sort=pair&amp;dir=asc"' in page
    forged = client.get(url, {"sort": "pair.mentee.notes", "light": "purple"})
    assert forged.status_code == 200
    assert "Select a valid choice" in forged.content.decode()
    assert set(_mentees(forged.content.decode(), pairs)) == set(lights)


def test_the_pair_space_shows_the_meetings_held_as_a_timeline_to_the_pair_only(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    held(pair, 3)
    held(pair, 10)
    url = reverse("pair_workspace", args=[pair.pk])
    page = client_for(cohort.personas.mentee).get(url).content.decode()
    timeline = page[page.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    meetings = list(pair.meetings.order_by("-starts_at"))
    links = re.findall(r'href="/meetings/(\d+)/"', timeline)
    assert links == [str(m.pk) for m in meetings]
    assert "In person" in timeline
    assert SECRET not in timeline
    for who in ("manager", "sponsor", "outsider"):
        response = client_for(getattr(cohort.personas, who)).get(url)
        assert response.status_code in (403, 404)
        assert 'class="timeline"' not in response.content.decode()
