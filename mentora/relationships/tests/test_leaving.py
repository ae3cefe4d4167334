"""An HR leave date ends a participation gracefully: once, on the day, with a kind word
to the partner and the programme managers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import audited
from mentora.notifications.models import Notification
from mentora.people.models import Person
from mentora.programmes.models import Participant, ParticipantStatus
from mentora.relationships.models import Pair, PairEndCause
from mentora.relationships.services.leaving import leave_dates_apply
from mentora.relationships.tasks import send_participant_left, send_partner_left
from mentora.relationships.tests.test_workspace import SECRET, pair  # noqa: F401

TODAY = timezone.localdate()
IN_TEN_DAYS = TODAY + dt.timedelta(days=10)


def _leaves_on(participant: Participant, day: dt.date | None) -> None:
    """The HR import sets (or moves) the person's leave date."""
    Person.objects.filter(pk=participant.person_id).update(leave_date=day)


def _status(participant: Participant) -> str:
    return Participant.objects.get(pk=participant.pk).status


def test_a_leave_date_still_ahead_changes_nothing_yet(cohort: Any, pair: Pair) -> None:
    _leaves_on(cohort.junior, IN_TEN_DAYS)
    assert leave_dates_apply(today=TODAY) == 0
    assert leave_dates_apply(today=IN_TEN_DAYS - dt.timedelta(days=1)) == 0
    pair.refresh_from_db()
    assert pair.is_active
    assert _status(cohort.junior) == ParticipantStatus.MATCHED
    assert audited("programmes.participant.left") == []


def test_on_the_leave_date_the_participation_ends_and_the_pair_closes_without_blame(
    cohort: Any, pair: Pair, django_capture_on_commit_callbacks: Any
) -> None:
    _leaves_on(cohort.junior, IN_TEN_DAYS)
    with django_capture_on_commit_callbacks(execute=True):
        assert leave_dates_apply(today=IN_TEN_DAYS) == 1
    pair.refresh_from_db()
    assert not pair.is_active
    assert pair.end_cause == PairEndCause.MENTEE_LEFT
    assert pair.ended_by is None
    assert pair.end_reason == ""
    assert _status(cohort.junior) == ParticipantStatus.LEFT
    # The mentor is back among those ready to be matched.
    assert _status(cohort.mo) == ParticipantStatus.READY
    history = list(Participant.objects.get(pk=cohort.junior.pk).events.values_list("to_status"))
    assert history[-1] == (ParticipantStatus.LEFT,)
    assert audited("programmes.participant.left") == [str(cohort.junior.pk)]
    assert audited("relationships.pair.end") == [str(pair.pk)]
    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "mentora.relationships.tasks.send_partner_left" in queued
    assert "mentora.relationships.tasks.send_participant_left" in queued
    # Other participants are untouched.
    assert _status(cohort.eva) == ParticipantStatus.MATCHED


def test_it_happens_once(cohort: Any, pair: Pair, django_capture_on_commit_callbacks: Any) -> None:
    _leaves_on(cohort.mo, IN_TEN_DAYS)
    with django_capture_on_commit_callbacks(execute=True) as first:
        assert leave_dates_apply(today=IN_TEN_DAYS) == 1
    with django_capture_on_commit_callbacks(execute=True) as second:
        assert leave_dates_apply(today=IN_TEN_DAYS + dt.timedelta(days=1)) == 0
    assert first and not second
    assert audited("programmes.participant.left") == [str(cohort.mo.pk)]
    assert len(audited("relationships.pair.end")) == 1
    pair.refresh_from_db()
    assert pair.end_cause == PairEndCause.MENTOR_LEFT
    assert _status(cohort.junior) == ParticipantStatus.READY


def test_a_leave_date_moved_later_before_it_arrives_takes_effect_later(
    cohort: Any, pair: Pair
) -> None:
    _leaves_on(cohort.junior, IN_TEN_DAYS)
    # An HR import corrects the date to a month later, before the first date arrives.
    _leaves_on(cohort.junior, IN_TEN_DAYS + dt.timedelta(days=30))
    assert leave_dates_apply(today=IN_TEN_DAYS) == 0
    pair.refresh_from_db()
    assert pair.is_active
    assert leave_dates_apply(today=IN_TEN_DAYS + dt.timedelta(days=30)) == 1
    assert _status(cohort.junior) == ParticipantStatus.LEFT


def test_a_finished_participation_is_left_as_it_was(cohort: Any) -> None:
    Participant.objects.filter(pk=cohort.eva.pk).update(status=ParticipantStatus.COMPLETED)
    _leaves_on(cohort.eva, TODAY)
    assert leave_dates_apply(today=TODAY) == 0
    assert _status(cohort.eva) == ParticipantStatus.COMPLETED


def test_the_daily_command_applies_todays_leave_dates(cohort: Any, pair: Pair) -> None:
    _leaves_on(cohort.junior, TODAY)
    call_command("apply_leave_dates", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _status(cohort.junior) == ParticipantStatus.LEFT


def test_the_partner_and_the_manager_get_a_kind_message_by_e_mail_and_in_the_inbox(
    cohort: Any, pair: Pair, smtp_sink: Any
) -> None:
    _leaves_on(cohort.junior, IN_TEN_DAYS)
    leave_dates_apply(today=IN_TEN_DAYS)
    assert send_partner_left.call(pair.pk) == 1
    assert send_participant_left.call(cohort.junior.pk) >= 1
    messages = smtp_sink.wait_for(2)
    to_partner = next(m for m in messages if cohort.personas.mentor.email in m["To"])
    to_manager = next(m for m in messages if cohort.personas.manager.email in m["To"])
    leaver = cohort.junior.person.full_name
    assert leaver in to_partner["Subject"]
    assert "nobody's doing" in to_partner.get_body(("plain",)).get_content()
    assert "Their pair has ended" in to_manager.get_body(("plain",)).get_content()
    assert reverse("programme_pairs", args=[cohort.programme.pk]) in (
        to_manager.get_body(("plain",)).get_content()
    )
    # The one who left is not written to.
    assert not any(cohort.personas.mentee.email in m["To"] for m in messages)
    inbox = Notification.objects.filter(user=cohort.personas.mentor)
    assert inbox.filter(kind="relationships.partner_left").exists()
    assert Notification.objects.filter(
        user=cohort.personas.manager, kind="relationships.participant_left"
    ).exists()
    # Nothing the pair wrote travels with the news.
    assert SECRET not in "".join(m.as_string() for m in messages)


def test_the_manager_sees_the_ending_on_the_pairs_list_and_the_dashboard(
    cohort: Any, pair: Pair, client_for: Any
) -> None:
    _leaves_on(cohort.junior, TODAY)
    leave_dates_apply(today=TODAY)
    manager = client_for(cohort.personas.manager)
    pairs_page = manager.get(reverse("programme_pairs", args=[cohort.programme.pk]))
    assert "The mentee left the organisation" in pairs_page.content.decode()
    dashboard = manager.get(reverse("dashboard")).content.decode()
    assert "1 pair ended because someone left the organisation" in dashboard
    # The partner sees the pairs list no more than before: it is the programme team's.
    assert client_for(cohort.personas.mentor).get(
        reverse("programme_pairs", args=[cohort.programme.pk])
    ).status_code in (403, 404)


def test_a_pair_closed_by_a_leave_date_tells_the_webhooks_it_ended(cohort: Any, pair: Pair) -> None:
    from mentora.webhooks.models import Delivery, Webhook, WebhookEvent

    Webhook.objects.create(
        organisation=pair.programme.organisation,
        url="http://127.0.0.1:9/hook",
        events=[WebhookEvent.PAIR_ENDED],
    )
    _leaves_on(cohort.junior, TODAY)
    leave_dates_apply(today=TODAY)
    [delivery] = Delivery.objects.filter(event=WebhookEvent.PAIR_ENDED)
    assert delivery.payload["pair_id"] == pair.pk
    assert delivery.payload["completed"] is False
    assert SECRET not in str(delivery.payload)
