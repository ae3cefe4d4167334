"""A pair on pause: set by either member with a return date, seen by the partner and the
programme team as a fact; no nudges and no risk while it lasts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONAS
from mentora.core.models import AuditEntry
from mentora.relationships.health import pair_health
from mentora.relationships.models import Escalation, Meeting, Pair, Pause
from mentora.relationships.services import pauses, support
from mentora.relationships.tests.test_workspace import SECRET, pair  # noqa: F401

# Who gets what from a pair's pages: its two members, then staff who may not look inside.
MEMBERS = {"mentee": 302, "mentor": 302, "outsider": 404}


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def test_a_member_pauses_and_the_partner_and_the_team_see_until_when(
    cohort: Any, pair: Pair, client_for: Any, smtp_sink: Any
) -> None:
    from mentora.relationships.tasks import send_pause_notice

    mentee = client_for(cohort.personas.mentee)
    mentee.post(
        reverse("pause_start", args=[pair.pk]),
        {"until": in_days(20).isoformat(), "reason": "parental_leave"},
    )
    pause = Pause.objects.get(pair=pair)
    assert (pause.participant, pause.starts_on, pause.reason) == (
        cohort.junior,
        timezone.localdate(),
        "parental_leave",
    )
    assert AuditEntry.objects.filter(action="relationships.pause.start").exists()
    partner = client_for(cohort.personas.mentor)
    workspace = partner.get(reverse("pair_workspace", args=[pair.pk])).content.decode()
    assert "Paused by Jo Junior" in workspace and "Parental leave" in workspace
    health = client_for(cohort.personas.manager).get(
        reverse("pair_health", args=[cohort.programme.pk])
    )
    assert "Paused until" in health.content.decode()
    assert send_pause_notice.call(pause.pk) is True
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "mentor@test.example"


def test_a_paused_pair_gets_no_nudge_and_is_not_at_risk_until_it_is_back(
    cohort: Any, pair: Pair
) -> None:
    Pair.objects.filter(pk=pair.pk).update(started_at=timezone.now() - dt.timedelta(days=100))
    pair.refresh_from_db()
    assert pair_health(pair).at_risk
    pauses.pause_start(pair=pair, actor=cohort.personas.mentor, until=in_days(30), reason="holiday")
    health = pair_health(pair)
    assert not health.at_risk and health.paused is not None
    support.pairs_escalate()
    assert not Escalation.objects.filter(pair=pair).exists()
    # Back on day 31: a fresh quiet spell, so nothing until 30 days after the return.
    for days, expected in ((32, False), (60, False), (62, True)):
        with time_machine.travel(timezone.now() + dt.timedelta(days=days), tick=False):
            support.pairs_escalate()
        assert Escalation.objects.filter(pair=pair).exists() == expected, days


def test_a_pause_ended_early_lets_the_ladder_go_on(cohort: Any, pair: Pair) -> None:
    pause = pauses.pause_start(
        pair=pair, actor=cohort.personas.mentee, until=in_days(60), reason="busy_season"
    )
    pauses.pause_end(pause=pause, actor=cohort.personas.mentor)
    with pytest.raises(ValidationError, match="already over"):
        pauses.pause_end(pause=pause, actor=cohort.personas.mentee)
    assert pair_health(pair).paused is None


@pytest.mark.parametrize(
    ("starts_in", "until_in", "refusal"),
    [
        (-1, 10, "cannot start in the past"),
        (5, 2, "must come after the start"),
        (0, 400, "at most a year"),
    ],
)
def test_a_pause_with_impossible_dates_is_refused(
    cohort: Any, pair: Pair, starts_in: int, until_in: int, refusal: str
) -> None:
    with pytest.raises(ValidationError, match=refusal):
        pauses.pause_start(
            pair=pair,
            actor=cohort.personas.mentee,
            starts_on=in_days(starts_in),
            until=in_days(until_in),
            reason="holiday",
        )
    assert not Pause.objects.exists()


def test_two_pauses_cannot_overlap(cohort: Any, pair: Pair, client_for: Any) -> None:
    pauses.pause_start(pair=pair, actor=cohort.personas.mentee, until=in_days(10), reason="holiday")
    response = client_for(cohort.personas.mentor).post(
        reverse("pause_start", args=[pair.pk]),
        {"starts_on": in_days(5).isoformat(), "until": in_days(15).isoformat(), "reason": "other"},
        follow=True,
    )
    assert "already paused for part of that time" in response.content.decode()
    assert Pause.objects.count() == 1


@pytest.mark.parametrize("who", PERSONAS)
def test_only_the_two_members_pause_and_resume(
    cohort: Any, pair: Pair, client_for: Any, who: str
) -> None:
    client = client_for(getattr(cohort.personas, who))
    expected = MEMBERS.get(who, 403)
    response = client.post(
        reverse("pause_start", args=[pair.pk]),
        {"until": in_days(10).isoformat(), "reason": "holiday"},
    )
    assert response.status_code == expected
    assert Pause.objects.exists() == (expected == 302)
    pause = Pause.objects.first() or pauses.pause_start(
        pair=pair, actor=cohort.personas.mentee, until=in_days(10), reason="holiday"
    )
    response = client.post(reverse("pause_end", args=[pause.pk]))
    assert response.status_code == expected
    pause.refresh_from_db()
    assert (pause.ended_at is not None) == (expected == 302)


@pytest.mark.parametrize("who", PERSONAS)
def test_the_timeline_shows_facts_to_the_pair_and_the_team_and_never_what_they_wrote(
    cohort: Any, pair: Pair, client_for: Any, who: str
) -> None:
    Meeting.objects.create(
        pair=pair,
        starts_at=timezone.now() - dt.timedelta(days=3),
        mode="in_person",
        agenda=SECRET,
        notes=SECRET,
        happened=True,
    )
    pauses.pause_start(pair=pair, actor=cohort.personas.mentee, until=in_days(10), reason="holiday")
    response = client_for(getattr(cohort.personas, who)).get(
        reverse("pair_timeline", args=[pair.pk])
    )
    expected = {"mentee": 200, "mentor": 200, "outsider": 404}.get(who)
    if expected is None:
        # Those running the programme follow every pair; other staff and colleagues may not.
        expected = 200 if who in ("admin", "org_admin", "manager") else 403
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert "Meeting held" in page and "Paused" in page
        assert SECRET not in page


def test_the_participation_page_leads_each_member_to_the_pause(
    cohort: Any, pair: Pair, client_for: Any
) -> None:
    page = client_for(cohort.personas.mentee).get(reverse("my_programmes")).content.decode()
    assert reverse("pair_workspace", args=[pair.pk]) + "#pause-heading" in page
    workspace = client_for(cohort.personas.mentee).get(reverse("pair_workspace", args=[pair.pk]))
    assert 'id="pause-heading"' in workspace.content.decode()
    pair.ended_at = timezone.now()
    pair.save(update_fields=["ended_at"])
    page = client_for(cohort.personas.mentee).get(reverse("my_programmes")).content.decode()
    assert "#pause-heading" not in page
