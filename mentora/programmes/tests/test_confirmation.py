"""Deleting and leaving in a programme ask "I understand" first, checked on the server:
without the tick nothing changes and the page says why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from mentora.events import services as event_services
from mentora.events.models import EventRegistration
from mentora.programmes.models import (
    Participant,
    ProgrammeOrganisation,
    Question,
    Touchpoint,
)
from mentora.programmes.tests.test_access import world  # noqa: F401

NOT_CONFIRMED = "Nothing was changed: tick"


def touchpoint(w: dict[str, Any]) -> tuple[Any, str, Callable[[], Any]]:
    tp = w["touchpoint"]
    url = reverse("touchpoint_delete", args=[w["programme"].pk, tp.pk])
    return w["personas"].manager, url, lambda: Touchpoint.objects.filter(pk=tp.pk).exists()


def partner(w: dict[str, Any]) -> tuple[Any, str, Callable[[], Any]]:
    c = w["contribution"]
    url = reverse("programme_organisation_remove", args=[w["programme"].pk, c.pk])
    return (
        w["personas"].manager,
        url,
        lambda: ProgrammeOrganisation.objects.filter(pk=c.pk).exists(),
    )


def question(w: dict[str, Any]) -> tuple[Any, str, Callable[[], Any]]:
    q = w["question"]
    url = reverse("question_delete", args=[w["programme"].pk, q.pk])
    return w["personas"].manager, url, lambda: Question.objects.filter(pk=q.pk).exists()


def withdraw(w: dict[str, Any]) -> tuple[Any, str, Callable[[], Any]]:
    mentee = w["mentee"]
    url = reverse("participant_withdraw", args=[mentee.pk])
    return w["personas"].mentee, url, lambda: Participant.objects.get(pk=mentee.pk).status


def event_place(w: dict[str, Any]) -> tuple[Any, str, Callable[[], Any]]:
    event = w["event"]
    event.starts_at = timezone.now() + dt.timedelta(days=5)
    event.save()
    registration = event_services.event_register(
        event=event, participant=w["mentee"], actor=w["personas"].mentee
    )
    url = reverse("event_cancel", args=[registration.pk])
    return (
        w["personas"].mentee,
        url,
        lambda: EventRegistration.objects.get(pk=registration.pk).status,
    )


ACTIONS = {
    "touchpoint": touchpoint,
    "partner": partner,
    "question": question,
    "withdraw": withdraw,
    "event_place": event_place,
}


@pytest.mark.parametrize("action", ACTIONS)
def test_a_deletion_or_a_leaving_waits_for_the_tick(
    client_for: Any, world: dict[str, Any], action: str
) -> None:
    user, url, state = ACTIONS[action](world)
    before = state()
    client = client_for(user)
    refused = client.post(url, follow=True)
    assert NOT_CONFIRMED in refused.content.decode()
    assert state() == before
    done = client.post(url, {"confirm": "on"}, follow=True)
    assert NOT_CONFIRMED not in done.content.decode()
    assert state() != before


def test_the_pages_draw_the_tick_without_any_script(client_for: Any, world: dict[str, Any]) -> None:
    manager = client_for(world["personas"].manager)
    for url in (
        reverse("programme_detail", args=[world["programme"].pk]),
        reverse("programme_questionnaire", args=[world["programme"].pk]),
    ):
        html = manager.get(url).content.decode()
        assert 'name="confirm"' in html and "onclick" not in html, url
    mine = client_for(world["personas"].mentee).get(reverse("my_programmes")).content.decode()
    assert 'name="confirm"' in mine
