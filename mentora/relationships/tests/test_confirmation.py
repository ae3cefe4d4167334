"""Every action on pairs, groups and connections that cannot be undone asks "I understand"
first, checked on the server: without the tick nothing changes and the page says why."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from mentora.relationships.models import Closure, Meeting, Pair, PeerGroup, Story
from mentora.relationships.services import meetings
from mentora.relationships.tests.conftest import hold_a_meeting
from mentora.relationships.tests.test_workspace import pair  # noqa: F401
from mentora.rounds.services import groups as rounds_groups
from mentora.rounds.tests.test_groups import add_mentees

NOT_CONFIRMED = "Nothing was changed: tick"


def publish_groups(cohort: Any, pair: Pair) -> tuple[Any, str, dict[str, Any], Callable[[], Any]]:
    add_mentees(cohort, 4)
    rounds_groups.groups_form(
        programme=cohort.programme, kind="mentee_peers", min_size=3, max_size=4, actor=None
    )
    return (
        cohort.personas.manager,
        reverse("groups_publish", args=[cohort.programme.pk]),
        {"kind": "mentee_peers"},
        lambda: PeerGroup.objects.filter(published=True).count(),
    )


def cancel_meeting(cohort: Any, pair: Pair) -> tuple[Any, str, dict[str, Any], Callable[[], Any]]:
    meeting = meetings.meeting_schedule(
        pair=pair, actor=cohort.personas.mentee, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    return (
        cohort.personas.mentee,
        reverse("meeting_detail", args=[meeting.pk]),
        {"action": "cancel"},
        lambda: Meeting.objects.get(pk=meeting.pk).cancelled_at is not None,
    )


def close(cohort: Any, pair: Pair) -> tuple[Any, str, dict[str, Any], Callable[[], Any]]:
    hold_a_meeting(cohort, pair)
    return (
        cohort.personas.mentee,
        reverse("pair_close", args=[pair.pk]),
        {
            "reflection": "Grew",
            "continuation": "clean_end",
            "thanks": "Thanks",
            "submission": str(uuid.uuid4()),
        },
        lambda: Closure.objects.filter(pair=pair, mentee_done_at__isnull=False).exists(),
    )


def decide_story(cohort: Any, pair: Pair) -> tuple[Any, str, dict[str, Any], Callable[[], Any]]:
    story = Story.objects.create(
        pair=pair, author=cohort.personas.mentee, title="t", text="x", consent=True
    )
    return (
        cohort.personas.manager,
        reverse("story_decide", args=[story.pk]),
        {"decision": "approve"},
        lambda: Story.objects.get(pk=story.pk).status,
    )


ACTIONS = {
    "publish_groups": publish_groups,
    "cancel_meeting": cancel_meeting,
    "close": close,
    "decide_story": decide_story,
}


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_that_cannot_be_undone_waits_for_the_tick(
    client_for: Any, cohort: Any, pair: Pair, action: str
) -> None:
    user, url, data, state = ACTIONS[action](cohort, pair)
    before = state()
    client = client_for(user)
    refused = client.post(url, data, follow=True)
    assert NOT_CONFIRMED in refused.content.decode()
    assert state() == before
    done = client.post(url, {**data, "confirm": "on"}, follow=True)
    assert NOT_CONFIRMED not in done.content.decode()
    assert state() != before


def test_the_pages_draw_the_tick_in_the_forms_that_need_it(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    _user, close_url, _data, _state = close(cohort, pair)
    closing = client_for(cohort.personas.mentee).get(close_url).content.decode()
    assert 'name="confirm"' in closing and "onclick" not in closing
    meeting = meetings.meeting_schedule(
        pair=pair, actor=cohort.personas.mentee, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    page = (
        client_for(cohort.personas.mentee)
        .get(reverse("meeting_detail", args=[meeting.pk]))
        .content.decode()
    )
    cancel_form = page[page.index('value="cancel"') :]
    assert 'name="confirm"' in cancel_form[: cancel_form.index("</form>")]
