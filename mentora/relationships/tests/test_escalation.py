"""The escalation ladder of a pair that does not meet, on a clock moved forward: a nudge to
both, a note to the mentor, an alert for the programme team; and the programme's own
reminder intervals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import MANAGERS_ONLY, PERSONAS
from mentora.core.models import AuditEntry
from mentora.relationships.models import Escalation, Meeting, Pair, SupportSettings
from mentora.relationships.services import support
from mentora.relationships.tests.test_workspace import SECRET, pair  # noqa: F401

DAY = dt.timedelta(days=1)


def climb(days: float, pair: Pair) -> list[str]:
    """Run the daily ladder `days` after now; the steps it took for `pair`."""
    with time_machine.travel(timezone.now() + dt.timedelta(days=days), tick=False):
        before = set(Escalation.objects.filter(pair=pair).values_list("pk", flat=True))
        support.pairs_escalate()
    return list(
        Escalation.objects.filter(pair=pair).exclude(pk__in=before).values_list("step", flat=True)
    )


def test_the_ladder_climbs_one_step_at_a_time_and_each_step_once(
    cohort: Any, pair: Pair, client_for: Any
) -> None:
    # The defaults: a nudge after 30 quiet days, the note 14 days later, the alert 14 after.
    assert climb(29.5, pair) == []
    assert climb(30.5, pair) == ["nudge"]
    assert climb(31, pair) == []
    assert climb(44, pair) == []
    assert climb(45, pair) == ["mentor_note"]
    assert climb(58, pair) == []
    assert climb(59.5, pair) == ["manager_alert"]
    assert climb(90, pair) == []
    actions = set(
        AuditEntry.objects.filter(object_id=str(pair.pk)).values_list("action", flat=True)
    )
    assert {
        "relationships.escalation.nudge",
        "relationships.escalation.mentor_note",
        "relationships.escalation.manager_alert",
    } <= actions
    with time_machine.travel(timezone.now() + dt.timedelta(days=60), tick=False):
        manager = client_for(cohort.personas.manager)
        timeline = manager.get(reverse("pair_timeline", args=[pair.pk])).content.decode()
        dashboard = manager.get(reverse("dashboard")).content.decode()
    for step in ("Nudge to the pair", "Note to the mentor", "Alert to the programme team"):
        assert step in timeline
    # The pair never met: the suggested action is a rematch, linked to where it is done.
    assert "Jo Junior and Mo Mentor have not met for 60 days" in dashboard
    assert "offer a rematch" in dashboard
    assert reverse("programme_pairs", args=[cohort.programme.pk]) in dashboard


def test_the_nudge_carries_a_tool_for_the_pairs_phase_and_the_note_goes_to_the_mentor_only(
    cohort: Any, pair: Pair, smtp_sink: Any
) -> None:
    from mentora.relationships.tasks import send_mentor_note, send_nudge

    assert send_nudge.call(pair.pk) == 2
    nudges = smtp_sink.wait_for(2)
    for message in nudges:
        # The pair has just started: a tool for getting started.
        assert "Questions for getting started" in message.get_body(("plain",)).get_content()
    assert send_mentor_note.call(pair.pk) is True
    messages = smtp_sink.wait_for(3)
    assert [m["To"] for m in messages[2:]] == ["mentor@test.example"]
    assert "Jo Junior" in messages[2]["Subject"]


def test_a_meeting_ends_the_quiet_spell_and_the_ladder_starts_again(
    cohort: Any, pair: Pair
) -> None:
    assert climb(31, pair) == ["nudge"]
    Meeting.objects.create(
        pair=pair,
        starts_at=timezone.now() + dt.timedelta(days=40),
        mode="in_person",
        notes=SECRET,
    )
    # The meeting was held on day 40: no note to the mentor on day 46.
    assert climb(46, pair) == []
    assert climb(69, pair) == []
    assert climb(71, pair) == ["nudge"]
    spells = set(Escalation.objects.filter(pair=pair).values_list("quiet_since", flat=True))
    assert len(spells) == 2


def test_a_planned_meeting_puts_the_ladder_on_hold(cohort: Any, pair: Pair) -> None:
    Meeting.objects.create(
        pair=pair, starts_at=timezone.now() + dt.timedelta(days=50), mode="in_person"
    )
    assert climb(40, pair) == []


def test_each_programme_sets_its_own_ladder(cohort: Any, pair: Pair) -> None:
    support.support_settings_update(
        programme=cohort.programme,
        actor=cohort.personas.manager,
        nudge_after_days=10,
        mentor_note_after_days=3,
        manager_alert_after_days=2,
    )
    assert climb(9.5, pair) == []
    assert climb(10.5, pair) == ["nudge"]
    assert climb(13.5, pair) == ["mentor_note"]
    assert climb(15.5, pair) == ["manager_alert"]
    support.support_settings_update(
        programme=cohort.programme, actor=cohort.personas.manager, nudge_after_days=0
    )
    other = Pair.objects.filter(programme=cohort.programme).exclude(pk=pair.pk).first()
    assert other is not None and climb(100, other) == []


@pytest.mark.parametrize("who", PERSONAS)
def test_the_settings_page_is_for_those_running_the_programme(
    cohort: Any, client_for: Any, who: str
) -> None:
    client = client_for(getattr(cohort.personas, who))
    url = reverse("support_settings", args=[cohort.programme.pk])
    page = client.get(url)
    assert page.status_code == MANAGERS_ONLY[who]
    if page.status_code == 200:
        assert "Remind line managers of an approval after" in page.content.decode()
    response = client.post(url, {"nudge_after_days": "21", "survey_reminder_days": "4"})
    allowed = MANAGERS_ONLY[who] == 200
    assert response.status_code == (302 if allowed else MANAGERS_ONLY[who])
    ladder = SupportSettings.of(cohort.programme)
    assert (ladder.nudge_after_days, ladder.survey_reminder_days) == (
        (21, 4) if allowed else (30, 7)
    )


def test_a_setting_out_of_range_is_refused_saying_why(cohort: Any, client_for: Any) -> None:
    client = client_for(cohort.personas.manager)
    url = reverse("support_settings", args=[cohort.programme.pk])
    response = client.post(url, {"mentor_note_after_days": "0"}, follow=True)
    assert "Give between 1 and 365 days." in response.content.decode()
    response = client.post(url, {"nudge_after_days": "a month"}, follow=True)
    assert "Give between 0 (no nudges) and 365 days." in response.content.decode()
    assert not SupportSettings.objects.filter(programme=cohort.programme).exists()


def test_the_programmes_reminder_intervals_replace_the_constants(cohort: Any, pair: Pair) -> None:
    from mentora.programmes.models import Participant
    from mentora.programmes.services import reminders

    invited = Participant.objects.create(
        programme=cohort.programme,
        person=cohort.personas.people["lead"],
        role="mentee",
        status="invited",
    )
    Participant.objects.filter(pk=invited.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=3)
    )
    assert (invited.pk, "apply") not in reminders.pending_reminders()
    support.support_settings_update(
        programme=cohort.programme, actor=cohort.personas.manager, application_reminder_days=2
    )
    assert (invited.pk, "apply") in reminders.pending_reminders()
