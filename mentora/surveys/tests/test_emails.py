"""Survey e-mails through a real SMTP sink, queued on commit, in each recipient's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from mentora.surveys import tasks
from mentora.surveys.models import Invitation
from mentora.surveys.tests.conftest import World
from mentora.surveys.tests.test_services import schedule


def test_a_survey_that_opens_now_is_queued_on_commit_and_mailed_to_each_invitee(
    world: World, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    world.personas.mentee.language = "da"
    world.personas.mentee.save()
    with django_capture_on_commit_callbacks(execute=True):
        survey = schedule(world)
    assert DBTaskResult.objects.count() == 1
    assert tasks.send_survey.call(survey.pk) == 3
    messages = {m["To"]: m for m in smtp_sink.wait_for(3)}
    assert set(messages) == {
        "mentee@test.example",
        "mentor@test.example",
        "linemanager@test.example",
    }
    # The greeting comes from the existing Danish catalogue.
    assert messages["mentee@test.example"].get_body(("plain",)).get_content().startswith("Hej")
    assert messages["mentor@test.example"].get_body(("plain",)).get_content().startswith("Hello")
    token = Invitation.objects.get(survey=survey, role="mentor").token
    assert (
        f"/surveys/answer/{token}/"
        in messages["mentor@test.example"].get_body(("plain",)).get_content()
    )


def test_a_survey_that_opens_later_is_not_queued_at_scheduling(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        schedule(world, opens_at=now + dt.timedelta(days=3), closes_at=now + dt.timedelta(9))
    assert DBTaskResult.objects.count() == 0


def test_the_reminder_task_reminds_through_smtp(world: World, smtp_sink: Any) -> None:
    survey = schedule(world, reminder_days=1)
    Invitation.objects.filter(survey=survey).update(sent_at=timezone.now() - dt.timedelta(days=2))
    survey.sent_at = timezone.now() - dt.timedelta(days=2)
    survey.save()
    assert tasks.remind_surveys.call() == 3
    assert len(smtp_sink.wait_for(3)) == 3
