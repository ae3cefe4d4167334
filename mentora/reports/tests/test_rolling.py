"""Reports of a rolling programme, which has no end date: whatever counts from a programme's
end or start behaves sensibly, on a clock moved forward."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from mentora.programmes.models import Participant, Programme
from mentora.relationships.models import Agreement, Pair
from mentora.reports.aggregates import pair_activity
from mentora.reports.organisation import phase
from mentora.reports.retention import retention
from mentora.reports.standards.model import cycle
from mentora.surveys.tests.conftest import World, make_world


@pytest.fixture
def world(personas: Any) -> World:
    """The survey world's programme, turned rolling: no dates at all."""
    world = make_world(personas)
    Programme.objects.filter(pk=world.programme.pk).update(
        rolling=True, start_date=None, end_date=None
    )
    world.programme.refresh_from_db()
    return world


def test_a_rolling_programme_runs_from_the_day_it_opened_and_never_ends(world: World) -> None:
    programme = world.programme
    opened = timezone.localdate(programme.created_at)
    assert phase(programme, opened - dt.timedelta(days=1)) == "Not started"
    for years in (0, 1, 5):
        assert phase(programme, opened + dt.timedelta(days=365 * years)) == (
            "Running, rolling intake"
        )
    programme.rolling = False
    assert phase(programme, opened + dt.timedelta(days=365)) == "Not started"


def test_a_rolling_programme_completes_its_cycle_after_twelve_months(world: World) -> None:
    programme = world.programme
    opened = timezone.localdate(programme.created_at)
    done, note = cycle(programme, opened + dt.timedelta(days=200))
    assert not done and note.startswith("Twelve months from the start are reached on")
    done, _note = cycle(programme, opened + dt.timedelta(days=400))
    assert done
    programme.rolling = False
    done, note = cycle(programme, opened + dt.timedelta(days=400))
    assert not done and "no start and end dates" in note


def test_retention_of_a_rolling_programme_counts_from_the_day_it_opened(world: World) -> None:
    programme = world.programme
    opened = timezone.localdate(programme.created_at)
    early = retention(programme, today=opened)
    assert early.reason == "the programme has not started"
    later = retention(programme, today=opened + dt.timedelta(days=400))
    assert later.origin == opened
    assert later.reason != "the programme has not started"


def test_a_pair_of_a_rolling_programme_ends_early_only_before_its_agreed_end(
    world: World,
) -> None:
    now = timezone.now()
    programme = world.programme
    second_mentor = Participant.objects.create(
        programme=programme,
        person=world.mentee.person.manager,
        role="mentor",
        status="active",
    )

    def agree(pair: Pair, end: dt.date) -> None:
        Agreement.objects.create(
            pair=pair,
            version=1,
            meeting_frequency="monthly",
            planned_meetings=10,
            learning_goals="-",
            ways_of_working="-",
            confidentiality=True,
            not_recruitment=True,
            end_date=end,
        )

    # Ended on the day it agreed: a full relationship, not an early end.
    agree(world.pair, now.date())
    Pair.objects.filter(pk=world.pair.pk).update(ended_at=now)
    assert pair_activity(programme, now).ended_early == 0
    # Another pair ended a month before the end it agreed.
    early = Pair.objects.create(
        programme=programme,
        mentee=world.mentee,
        mentor=second_mentor,
        score=0.5,
        ended_at=now,
    )
    # Without an agreement, a pair that ended never got going: early.
    assert pair_activity(programme, now).ended_early == 1
    agree(early, now.date() + dt.timedelta(days=30))
    activity = pair_activity(programme, now)
    assert (activity.pairs, activity.active, activity.ended_early) == (2, 0, 1)


def test_the_evidence_pack_says_a_rolling_programme_has_no_end(world: World) -> None:
    from mentora.reports.standards import assess

    assessment = assess(world.programme, now=timezone.now() + dt.timedelta(days=400))
    evidence = [
        line
        for standard in assessment.standards
        for criterion in standard.criteria
        for line in criterion.evidence
    ]
    assert any("Rolling intake since" in str(line) for line in evidence)
    assert not assessment.provisional
