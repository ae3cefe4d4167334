"""E-mails of the pipeline, through a real SMTP sink, in each recipient's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from mentora.programmes import tasks
from mentora.programmes.models import ParticipantEvent, ParticipantStatus
from mentora.programmes.services import pipeline, screening
from mentora.programmes.tests.conftest import apply, invite


def test_an_invitation_is_queued_on_commit_and_names_the_programme(
    setup: Any, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        participant = invite(setup, setup.personas.people["junior"], "mentee")
    assert DBTaskResult.objects.count() == 1
    event = ParticipantEvent.objects.get(participant=participant)
    tasks.send_status_email.call(event.pk)
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "mentee@test.example"
    assert "Graduate onboarding" in message["Subject"]
    assert f"/participants/{participant.pk}/apply/" in message.get_body(("plain",)).get_content()


def test_the_invitation_is_written_in_danish_for_a_danish_participant(
    setup: Any, smtp_sink: Any
) -> None:
    setup.personas.mentee.language = "da"
    setup.personas.mentee.save()
    participant = invite(setup, setup.personas.people["junior"], "mentee")
    tasks.send_status_email.call(participant.events.get().pk)
    [message] = smtp_sink.wait_for(1)
    # The greeting comes from the existing Danish catalogue.
    assert message.get_body(("plain",)).get_content().startswith("Hej")


def test_the_line_manager_is_asked_with_the_learning_themes(setup: Any, smtp_sink: Any) -> None:
    p = setup.personas
    invite(setup, p.people["junior"], "mentee")
    mentee = apply(setup, "mentee", {setup.themes.pk: ["Networking", "Career"]})
    tasks.send_line_manager_request.call(mentee.pk)
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "linemanager@test.example"
    body = message.get_body(("plain",)).get_content()
    assert "Networking" in body and "Career" in body
    assert "/my/approvals/" in body


def test_a_declined_participant_never_sees_the_reason(setup: Any, smtp_sink: Any) -> None:
    p = setup.personas
    mentor = invite(setup, setup.mentor_person, "mentor")
    mentor = pipeline.participant_transition(
        participant=mentor, to_status="declined", reason="Too directive", actor=p.manager
    )
    event = mentor.events.get(to_status="declined")
    tasks.send_status_email.call(event.pk)
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "mentor@test.example"
    assert "Too directive" not in message.get_body(("plain",)).get_content()


def test_the_mentor_hears_when_the_screening_interview_is(setup: Any, smtp_sink: Any) -> None:
    p = setup.personas
    mentor = invite(setup, setup.mentor_person, "mentor")
    at = timezone.now() + dt.timedelta(days=3)
    screening.screening_schedule(participant=mentor, at=at, actor=p.manager)
    tasks.send_screening_invitation.call(mentor.pk)
    [message] = smtp_sink.wait_for(1)
    assert "interview" in message["Subject"].lower()


def test_the_line_manager_is_reminded_to_align_expectations_when_the_mentee_is_matched(
    setup: Any, smtp_sink: Any
) -> None:
    p = setup.personas
    invite(setup, p.people["junior"], "mentee")
    mentee = apply(setup, "mentee", {setup.themes.pk: ["Leadership"]})
    tasks.send_line_manager_alignment.call(mentee.pk)
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "linemanager@test.example"
    assert "Leadership" in message.get_body(("plain",)).get_content()
    assert "first" in message["Subject"]


def test_reminders_reach_the_invited_the_line_manager_and_the_programme_managers(
    setup: Any, smtp_sink: Any
) -> None:
    p = setup.personas
    invited = invite(setup, p.people["junior"], "mentee")
    mentor = invite(setup, setup.mentor_person, "mentor")
    apply(setup, "mentor", {})
    tasks.remind_applicant.call(invited.pk)
    tasks.remind_managers_of_screening.call(mentor.pk)
    messages = smtp_sink.wait_for(2)
    assert {m["To"] for m in messages} == {"mentee@test.example", "manager@test.example"}


def test_the_reminder_command_queues_the_run(setup: Any) -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    call_command("send_reminders")
    assert DBTaskResult.objects.filter(task_path__endswith="send_reminders").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_application_and_line_manager_mails(
    smtp_sink: Any, run_worker: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from conftest import make_personas
    from mentora.programmes.tests.conftest import make_setup

    setup = make_setup(make_personas())
    p = setup.personas
    invite(setup, p.people["junior"], "mentee")
    apply(setup, "mentee", {setup.themes.pk: ["Presenting"]})
    # Invitation, application received, and the line manager's request.
    assert DBTaskResult.objects.ready().count() == 3

    run_worker({"EMAIL_HOST": smtp_sink.host, "EMAIL_PORT": str(smtp_sink.port)})

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    messages = smtp_sink.wait_for(3)
    recipients = sorted(m["To"] for m in messages)
    assert recipients == ["linemanager@test.example", "mentee@test.example", "mentee@test.example"]


# A mentee waiting for the line manager hears nothing new; the line manager is asked instead.
EMAILED_STATUSES = [s for s in ParticipantStatus.values if s != "needs_line_manager"]


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("status", EMAILED_STATUSES)
def test_every_status_has_an_email_that_renders(
    setup: Any, smtp_sink: Any, status: str, language: str
) -> None:
    p = setup.personas
    p.mentor.language = language
    p.mentor.save()
    mentor = invite(setup, setup.mentor_person, "mentor")
    event = ParticipantEvent.objects.create(
        participant=mentor, from_status="invited", to_status=status, actor=p.manager
    )
    tasks.send_status_email.call(event.pk)
    [message] = smtp_sink.wait_for(1)
    body = message.get_body(("plain",)).get_content()
    assert "Graduate onboarding" in message["Subject"] + body
    assert "{" not in body and "%(" not in body
    if status != "declined":
        assert "/my/programmes/" in body or "/apply/" in body


def test_the_line_manager_reminder_names_the_mentee(setup: Any, smtp_sink: Any) -> None:
    p = setup.personas
    invite(setup, p.people["junior"], "mentee")
    mentee = apply(setup, "mentee", {})
    tasks.remind_line_manager.call(mentee.pk)
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "linemanager@test.example"
    assert "Jo Junior" in message["Subject"]
