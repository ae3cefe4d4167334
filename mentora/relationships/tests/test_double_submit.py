"""A form sent twice (a double click, a page sent again, two tabs) acts once: the second
answer is a friendly note, never a duplicate and never an error."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import make_personas, post_at_once
from mentora.core.submissions import AlreadySubmitted
from mentora.relationships.models import (
    Agreement,
    Closure,
    Feedback,
    FollowUp,
    Goal,
    Meeting,
    Pair,
    Story,
)
from mentora.relationships.services import workspace
from mentora.relationships.tests.conftest import hold_a_meeting
from mentora.relationships.tests.test_workspace import AGREEMENT, pair  # noqa: F401
from mentora.rounds.services import proposals, rounds
from mentora.rounds.tests.conftest import make_cohort

ALREADY = "This was already sent, so it was saved only once."


Form = tuple[Any, str, dict[str, Any], Callable[[], int]]


def goal(cohort: Any, pair: Pair) -> Form:
    return (
        cohort.personas.mentee,
        reverse("goal_add", args=[pair.pk]),
        {"theme": "Negotiation", "description": "Close a deal alone"},
        lambda: Goal.objects.filter(pair=pair).count(),
    )


def feedback(cohort: Any, pair: Pair) -> Form:
    return (
        cohort.personas.mentor,
        reverse("feedback_give", args=[pair.pk]),
        {"direction": "mentor_to_mentee", "text": "Your questions were sharp"},
        lambda: Feedback.objects.filter(pair=pair).count(),
    )


def meeting(cohort: Any, pair: Pair) -> Form:
    return (
        cohort.personas.mentee,
        reverse("meeting_schedule", args=[pair.pk]),
        {"date": "2027-05-01", "time": "10:00", "duration_minutes": 60, "mode": "in_person"},
        lambda: Meeting.objects.filter(pair=pair).count(),
    )


def agreement(cohort: Any, pair: Pair) -> Form:
    return (
        cohort.personas.mentee,
        reverse("agreement_save", args=[pair.pk]),
        {**AGREEMENT, "end_date": "2027-10-31"},
        lambda: Agreement.objects.filter(pair=pair).count(),
    )


def closure(cohort: Any, pair: Pair) -> Form:
    hold_a_meeting(cohort, pair)
    return (
        cohort.personas.mentee,
        reverse("pair_close", args=[pair.pk]),
        {"reflection": "Grew", "continuation": "clean_end", "thanks": "Thanks", "confirm": "on"},
        lambda: Closure.objects.filter(pair=pair, mentee_done_at__isnull=False).count(),
    )


def story(cohort: Any, pair: Pair) -> Form:
    return (
        cohort.personas.mentee,
        reverse("story_submit", args=[pair.pk]),
        {"title": "Found my voice", "text": "It began...", "consent": "on"},
        lambda: Story.objects.filter(pair=pair).count(),
    )


def check_in(cohort: Any, pair: Pair) -> Form:
    return (
        cohort.personas.manager,
        reverse("follow_up_record", args=[pair.pk]),
        {"held_on": "2027-02-01", "channel": "phone"},
        lambda: FollowUp.objects.filter(pair=pair).count(),
    )


FORMS = {
    "goal": goal,
    "feedback": feedback,
    "meeting": meeting,
    "agreement": agreement,
    "closure": closure,
    "story": story,
    "check_in": check_in,
}


@pytest.mark.parametrize("form", FORMS)
def test_the_same_form_sent_twice_saves_once_and_says_so(
    client_for: Any, cohort: Any, pair: Pair, form: str
) -> None:
    user, url, data, count = FORMS[form](cohort, pair)
    before = count()
    client = client_for(user)
    sent = {**data, "submission": str(uuid.uuid4())}
    first = client.post(url, sent)
    assert first.status_code == 302
    assert count() == before + 1
    again = client.post(url, sent, follow=True)
    assert again.status_code == 200
    assert ALREADY in again.content.decode()
    assert count() == before + 1
    # Drawn again, the form has a new token and saves again (closing is once per side).
    if form != "closure":
        client.post(url, {**data, "submission": str(uuid.uuid4())})
        assert count() == before + 2


@pytest.mark.parametrize("form", FORMS)
def test_a_form_without_its_token_changes_nothing_and_says_why(
    client_for: Any, cohort: Any, pair: Pair, form: str
) -> None:
    user, url, data, count = FORMS[form](cohort, pair)
    before = count()
    response = client_for(user).post(url, data, follow=True)
    assert "This form is out of date" in response.content.decode()
    assert count() == before


def test_every_form_that_creates_something_carries_a_fresh_token(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    page = (
        client_for(cohort.personas.mentee)
        .get(reverse("pair_workspace", args=[pair.pk]))
        .content.decode()
    )
    # The agreement, the meeting, the goal and the feedback form.
    tokens = page.count('name="submission"')
    assert tokens == 4
    assert len({part.split('"')[0] for part in page.split('name="submission" value="')[1:]}) == 4


def test_a_refused_form_can_be_corrected_and_sent_with_the_same_token(
    cohort: Any, pair: Pair
) -> None:
    token = uuid.uuid4()
    with pytest.raises(ValidationError):
        workspace.goal_add(pair=pair, actor=cohort.personas.mentee, theme=" ", submission=token)
    workspace.goal_add(pair=pair, actor=cohort.personas.mentee, theme="Focus", submission=token)
    with pytest.raises(AlreadySubmitted):
        workspace.goal_add(pair=pair, actor=cohort.personas.mentee, theme="Focus", submission=token)
    assert Goal.objects.filter(pair=pair).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sends_of_one_form_save_once() -> None:
    cohort = make_cohort(make_personas())
    matching_round = rounds.round_run(
        round_id=rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager).pk
    )
    pairs = proposals.round_publish(matching_round=matching_round, actor=cohort.personas.manager)
    the_pair = next(p for p in pairs if p.mentee == cohort.junior)
    url = reverse("goal_add", args=[the_pair.pk])
    data = {"theme": "Negotiation", "submission": str(uuid.uuid4())}
    answers = post_at_once(cohort.personas.mentee, url, data, times=2)
    assert [status for status, _said in answers] == [302, 302]
    assert Goal.objects.filter(pair=the_pair).count() == 1
    assert sum(ALREADY in said for _status, said in answers) == 1
