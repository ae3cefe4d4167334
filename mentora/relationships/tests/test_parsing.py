"""Numbers, dates and choices posted to the pair and programme pages are parsed by forms:
garbled input gets a clear refusal and changes nothing, never an error page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from mentora.relationships.models import (
    FeedbackMoment,
    Goal,
    Meeting,
    Pair,
    PeerGroup,
    SupportSettings,
)
from mentora.relationships.services import meetings, workspace
from mentora.relationships.tests.test_workspace import pair  # noqa: F401


def test_a_pair_member_gets_a_clear_refusal_for_garbled_numbers(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    client = client_for(cohort.personas.mentee)
    goal = workspace.goal_add(pair=pair, actor=cohort.personas.mentee, theme="Focus")
    page = client.post(
        reverse("goal_update", args=[goal.pk]), {"progress": "half"}, follow=True
    ).content.decode()
    assert "Progress runs from 0 to 100." in page
    assert Goal.objects.get(pk=goal.pk).progress == 0
    meeting = meetings.meeting_schedule(
        pair=pair, actor=cohort.personas.mentee, starts_at=timezone.now() + dt.timedelta(days=1)
    )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(days=1))
    page = client.post(
        reverse("meeting_detail", args=[meeting.pk]),
        {"action": "rate", "rating": "five"},
        follow=True,
    ).content.decode()
    assert "Rate the meeting from 1 to 5." in page
    assert Meeting.objects.get(pk=meeting.pk).mentee_rating is None
    page = client.post(
        reverse("recording_consent", args=[meeting.pk]), {"delete_on": "soon"}, follow=True
    ).content.decode()
    assert "Give the date the recording is deleted." in page


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        (
            "groups_form",
            {"kind": "mentee_peers", "min_size": "three", "max_size": "5"},
            "Group sizes run from 2 to 12",
        ),
        ("support_settings", {"nudge_after_days": "a month"}, "Give between 0 (no nudges)"),
        ("feedback_moment_add", {"title": "Midway", "opens_on": "May"}, "Give the date"),
    ],
)
def test_a_manager_gets_a_clear_refusal_for_garbled_input(
    client_for: Any, cohort: Any, name: str, data: dict[str, str], said: str
) -> None:
    page = (
        client_for(cohort.personas.manager)
        .post(reverse(name, args=[cohort.programme.pk]), data, follow=True)
        .content.decode()
    )
    assert said in page
    assert not PeerGroup.objects.exists()
    assert not SupportSettings.objects.exists()
    assert not FeedbackMoment.objects.exists()
