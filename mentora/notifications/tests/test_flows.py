"""Real flows of the product: each e-mail they send is mirrored in the recipient's inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from conftest import invite_member
from mentora.notifications.models import Channel, Notification, NotificationPreference
from mentora.relationships.services import meetings
from mentora.rounds.services import proposals, rounds
from mentora.rounds.tests.conftest import cohort  # noqa: F401
from mentora.surveys import tasks as survey_tasks
from mentora.surveys.models import Invitation
from mentora.surveys.tests.conftest import make_world
from mentora.surveys.tests.test_services import schedule


def _inbox(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(user=user))


def test_an_organisation_invitation_reaches_the_inbox_without_its_password_link(
    personas: Any, mailoutbox: Any
) -> None:
    from mentora.accounts.tasks import send_invitation

    membership = invite_member(personas, "new@test.example", "mentor")
    send_invitation.call(membership.pk)
    [message] = mailoutbox
    [notification] = _inbox(membership.user)
    assert notification.kind == "accounts.invitation"
    assert notification.subject == message.subject
    assert "/password/reset/" in message.body
    assert "/password/reset/" not in notification.body + notification.link


def test_a_planned_meeting_reaches_both_inboxes_with_the_workspace_link(
    cohort: Any,  # noqa: F811
    mailoutbox: Any,
) -> None:
    from mentora.relationships.tasks import send_meeting_invitation

    matching_round = rounds.round_run(
        round_id=rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager).pk
    )
    pairs = proposals.round_publish(matching_round=matching_round, actor=cohort.personas.manager)
    pair = next(p for p in pairs if p.mentee == cohort.junior)
    meeting = meetings.meeting_schedule(
        pair=pair,
        actor=cohort.personas.mentee,
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Room 4",
    )
    Notification.objects.all().delete()  # what publishing the round sent
    mailoutbox.clear()
    assert send_meeting_invitation.call(meeting.pk) == 2
    workspace = reverse("pair_workspace", args=[pair.pk])
    for user in (pair.mentee.user, pair.mentor.user):
        [notification] = _inbox(user)
        assert notification.kind == "relationships.meeting"
        assert notification.link == workspace
        assert "Room 4" in notification.body
    assert len(mailoutbox) == 2


def test_a_survey_invitation_reaches_the_inbox_and_honours_inbox_only(
    personas: Any, mailoutbox: Any
) -> None:
    world = make_world(personas)
    NotificationPreference.objects.create(
        user=personas.mentor, kind="surveys.invitation", channel=Channel.IN_APP
    )
    survey = schedule(world)
    assert survey_tasks.send_survey.call(survey.pk) == 3
    assert sorted(m.to[0] for m in mailoutbox) == [
        "linemanager@test.example",
        "mentee@test.example",
    ]
    [notification] = _inbox(personas.mentor)
    token = Invitation.objects.get(survey=survey, user=personas.mentor).token
    assert notification.link == reverse("survey_answer", args=[token])
    assert notification.channel == Channel.IN_APP
    assert {n.kind for n in Notification.objects.all()} == {"surveys.invitation"}
