"""Relationship health from facts, follow-ups and nudges."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import MANAGERS_ONLY, PERSONAS
from mentora.relationships.health import pair_health, programme_health
from mentora.relationships.models import Escalation, FollowUp, Meeting, Pair, SupportSettings
from mentora.relationships.services import feedback, support, workspace
from mentora.relationships.tests.conftest import mentor_also_manages
from mentora.relationships.tests.test_workspace import AGREEMENT, SECRET, pair  # noqa: F401


def held(pair: Pair, days_ago: int, ratings: tuple[int | None, int | None] = (None, None)) -> None:
    Meeting.objects.create(
        pair=pair,
        starts_at=timezone.now() - dt.timedelta(days=days_ago),
        mode="in_person",
        notes=SECRET,
        mentee_rating=ratings[0],
        mentor_rating=ratings[1],
    )


def test_a_pair_that_meets_as_agreed_is_healthy(cohort: Any, pair: Pair) -> None:
    Pair.objects.filter(pk=pair.pk).update(started_at=timezone.now() - dt.timedelta(days=60))
    pair.refresh_from_db()
    workspace.agreement_save(
        pair=pair,
        actor=cohort.personas.mentee,
        **{**AGREEMENT, "end_date": timezone.localdate() + dt.timedelta(days=240)},
    )
    for days in (50, 30, 10):
        held(pair, days, (4, 5))
    health = pair_health(pair)
    assert health.light == "green", health.reasons
    assert health.held == 3


def test_a_quiet_pair_is_flagged_with_a_suggested_action(cohort: Any, pair: Pair) -> None:
    Pair.objects.filter(pk=pair.pk).update(started_at=timezone.now() - dt.timedelta(days=120))
    pair.refresh_from_db()
    held(pair, 100)
    health = pair_health(pair)
    assert health.light == "red"
    assert any("100 days" in r for r in health.reasons)
    assert health.actions


def test_falling_ratings_midway_show_a_droop(cohort: Any, pair: Pair) -> None:
    Pair.objects.filter(pk=pair.pk).update(started_at=timezone.now() - dt.timedelta(days=150))
    pair.refresh_from_db()
    workspace.agreement_save(
        pair=pair,
        actor=cohort.personas.mentee,
        **{**AGREEMENT, "end_date": timezone.localdate() + dt.timedelta(days=150)},
    )
    for days, rating in ((140, 5), (110, 5), (80, 4), (50, 3), (35, 2)):
        held(pair, days, (rating, rating))
    health = pair_health(pair)
    assert health.midway and health.rating_trend is not None and health.rating_trend <= -1
    assert any("droop" in r.lower() for r in health.reasons)
    assert health.light in {"amber", "red"}


def test_pairs_at_risk_come_first(cohort: Any, pair: Pair) -> None:
    Pair.objects.filter(pk=pair.pk).update(started_at=timezone.now() - dt.timedelta(days=200))
    report = programme_health(cohort.programme)
    assert report[0].pair.pk == pair.pk and report[0].at_risk


def test_quiet_pairs_are_nudged_once_per_period(
    cohort: Any, pair: Pair, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    Pair.objects.filter(programme=cohort.programme).update(
        started_at=timezone.now() - dt.timedelta(days=40)
    )
    with_next = Pair.objects.exclude(pk=pair.pk).first()
    Meeting.objects.create(
        pair=with_next,
        starts_at=timezone.now() + dt.timedelta(days=3),
        mode="online",
        link="https://x.example",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert support.pairs_escalate()["nudge"] == 1
    assert support.pairs_escalate()["nudge"] == 0
    assert DBTaskResult.objects.filter(task_path="mentora.relationships.tasks.send_nudge").exists()
    support.support_settings_update(programme=cohort.programme, actor=None, nudge_after_days=0)
    Escalation.objects.all().delete()
    assert support.pairs_escalate()["nudge"] == 0


def test_the_health_page_shows_facts_and_check_ins_but_never_notes(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    held(pair, 60)
    client = client_for(cohort.personas.manager)
    response = client.post(
        reverse("follow_up_record", args=[pair.pk]),
        {
            "held_on": "2027-02-01",
            "channel": "phone",
            "note": "Going fine",
            "submission": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("pair_health", args=[cohort.programme.pk])).content.decode()
    assert "Jo Junior" in page and "2027" in page and "phone" in page
    assert SECRET not in page
    assert "Pairs without a check-in" in page


@pytest.mark.parametrize("who", PERSONAS)
def test_relationship_health_is_for_those_running_the_programme(
    client_for: Any, cohort: Any, pair: Pair, who: str
) -> None:
    client = client_for(getattr(cohort.personas, who))
    url = reverse("pair_health", args=[cohort.programme.pk])
    assert client.get(url).status_code == MANAGERS_ONLY[who]
    expected_post = 302 if MANAGERS_ONLY[who] == 200 else MANAGERS_ONLY[who]
    for url, data in (
        (
            reverse("follow_up_record", args=[pair.pk]),
            {"held_on": "2027-02-01", "submission": str(uuid.uuid4())},
        ),
        (reverse("pair_nudge", args=[pair.pk]), {}),
        (reverse("support_settings", args=[cohort.programme.pk]), {"nudge_after_days": 20}),
    ):
        assert client.post(url, data).status_code == expected_post, url
    allowed = MANAGERS_ONLY[who] == 200
    pair.refresh_from_db()
    assert FollowUp.objects.filter(pair=pair).exists() == allowed
    assert (pair.nudged_at is not None) == allowed
    settings_row = SupportSettings.objects.filter(programme=cohort.programme).first()
    assert (settings_row is not None and settings_row.nudge_after_days == 20) == allowed


def test_staff_who_are_in_a_pair_never_read_what_is_written_to_the_team_about_it(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    mentor_also_manages(cohort)
    feedback.feedback_give(
        pair=pair,
        actor=cohort.personas.mentee,
        direction="mentee_to_manager",
        text="My mentor never listens",
    )
    support.follow_up_record(
        pair=pair,
        actor=cohort.personas.manager,
        held_on=timezone.localdate(),
        note="Called Jo: unhappy with the mentor",
    )
    url = reverse("pair_health", args=[cohort.programme.pk])
    as_mentor = client_for(cohort.personas.mentor).get(url).content.decode()
    assert "My mentor never listens" not in as_mentor
    assert "unhappy with the mentor" not in as_mentor
    as_manager = client_for(cohort.personas.manager).get(url).content.decode()
    assert "My mentor never listens" in as_manager
    assert "unhappy with the mentor" in as_manager
