"""The survey list sorts by wave, instrument or answering period."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from conftest import PERSONAS
from mentora.surveys.tests.conftest import World, window
from mentora.surveys.tests.test_services import schedule


def _waves(content: str) -> list[str]:
    return re.findall(r'<td><a href="/surveys/\d+/">([^<]+)</a></td>', content)


def test_the_survey_list_sorts_by_wave_in_the_programmes_order(
    world: World, client_for: Any
) -> None:
    opens, closes = window()
    schedule(world, "end", opens_at=opens, closes_at=closes)
    later = dt.timedelta(days=1)
    schedule(world, "start", opens_at=opens + later, closes_at=closes + later)
    client = client_for(world.personas.manager)
    url = reverse("survey_list", args=[world.programme.pk])
    assert _waves(client.get(url).content.decode()) == [
        "End of the programme",
        "Start of the programme",
    ]
    by_wave = client.get(url, {"sort": "wave"}).content.decode()
    assert _waves(by_wave) == ["Start of the programme", "End of the programme"]
    assert (
        '<th scope="col" aria-sort="ascending" class="sortable"><a href="?sort=wave&amp;dir=desc">'
        in by_wave
    )
    backwards = client.get(url, {"sort": "wave", "dir": "desc"}).content.decode()
    assert _waves(backwards) == ["End of the programme", "Start of the programme"]
    forged = client.get(url, {"sort": "instrument__licence_key"})
    assert forged.status_code == 200
    assert _waves(forged.content.decode()) == _waves(client.get(url).content.decode())


@pytest.mark.parametrize("who", PERSONAS)
def test_who_may_read_the_sorted_survey_list(world: World, client_for: Any, who: str) -> None:
    schedule(world, "start")
    url = reverse("survey_list", args=[world.programme.pk])
    client = client_for(getattr(world.personas, who))
    response = client.get(url, {"sort": "opens", "dir": "desc"})
    assert response.status_code == client.get(url).status_code
    assert ("Start of the programme" in response.content.decode()) == (response.status_code == 200)
