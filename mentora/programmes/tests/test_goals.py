"""Measurable goals set at design time: who may set them, and what the design holds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from mentora.core.models import AuditEntry
from mentora.programmes.models import GoalMeasure, ProgrammeGoal
from mentora.programmes.services import design
from mentora.programmes.services.goals import goal_add

RETENTION_GOAL = {
    "text": "85% still with us after two years",
    "measure": "retention",
    "target": "85",
    "horizon_months": "24",
    "primary": "on",
}


def test_a_manager_adds_a_measured_goal_and_it_is_audited(client_for: Any, setup: Any) -> None:
    client = client_for(setup.personas.manager)
    url = reverse("programme_goals", args=[setup.programme.pk])
    response = client.post(url, RETENTION_GOAL)
    assert response.status_code == 302
    goal = setup.programme.goals.get(text=RETENTION_GOAL["text"])
    assert (goal.measure, goal.target, goal.horizon_months, goal.primary) == (
        GoalMeasure.RETENTION,
        Decimal(85),
        24,
        True,
    )
    entry = AuditEntry.objects.get(action="programmes.goal.add", object_id=str(goal.pk))
    assert entry.changes["target"] == "85"


def test_a_new_primary_outcome_demotes_the_old_one(setup: Any) -> None:
    manager = setup.personas.manager
    first = setup.programme.goals.get()
    first.primary = True
    first.save()
    second = goal_add(
        programme=setup.programme,
        actor=manager,
        text="Graduates would recommend it",
        measure=GoalMeasure.NPS,
        target=Decimal(20),
        primary=True,
    )
    assert list(setup.programme.goals.filter(primary=True)) == [second]
    assert AuditEntry.objects.filter(
        action="programmes.goal.update", object_id=str(first.pk)
    ).exists()


def test_the_database_refuses_two_primary_outcomes(setup: Any) -> None:
    ProgrammeGoal.objects.filter(programme=setup.programme).update(primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeGoal.objects.create(
            programme=setup.programme,
            text="Another",
            measure=GoalMeasure.NPS,
            target=Decimal(0),
            primary=True,
        )


def test_it_refuses_a_measured_goal_without_its_target(client_for: Any, setup: Any) -> None:
    client = client_for(setup.personas.manager)
    url = reverse("programme_goals", args=[setup.programme.pk])
    response = client.post(url, {"text": "Scale up", "measure": "scale_mean", "target": "7"})
    assert response.status_code == 200
    assert "The target must lie between 1 and 5." in response.content.decode()
    assert "Name the survey scale that measures this goal." in response.content.decode()
    assert not setup.programme.goals.filter(text="Scale up").exists()


def test_an_unmeasured_goal_cannot_be_the_primary_outcome(client_for: Any, setup: Any) -> None:
    client = client_for(setup.personas.manager)
    url = reverse("programme_goals", args=[setup.programme.pk])
    response = client.post(url, {"text": "Be nicer", "measure": "none", "primary": "on"})
    assert "Only a goal measured in Mentora can be the primary outcome." in (
        response.content.decode()
    )
    assert not setup.programme.goals.filter(text="Be nicer").exists()


def test_a_sponsor_reads_the_goals_but_may_not_change_them(client_for: Any, setup: Any) -> None:
    client = client_for(setup.personas.sponsor)
    goal = setup.programme.goals.get()
    page = client.get(reverse("programme_goals", args=[setup.programme.pk]))
    assert page.status_code == 200 and goal.text in page.content.decode()
    assert 'name="measure"' not in page.content.decode()
    added = client.post(reverse("programme_goals", args=[setup.programme.pk]), RETENTION_GOAL)
    edited = client.post(
        reverse("programme_goal_edit", args=[setup.programme.pk, goal.pk]),
        {**RETENTION_GOAL, "text": "Changed"},
    )
    removed = client.post(
        reverse("programme_goal_delete", args=[setup.programme.pk, goal.pk]), {"confirm": "on"}
    )
    assert (added.status_code, edited.status_code, removed.status_code) == (403, 403, 403)
    assert list(setup.programme.goals.values_list("text", flat=True)) == [goal.text]


def test_an_outsider_gets_404_for_the_goals(client_for: Any, setup: Any) -> None:
    client = client_for(setup.personas.outsider)
    goal = setup.programme.goals.get()
    assert client.get(reverse("programme_goals", args=[setup.programme.pk])).status_code == 404
    edit = reverse("programme_goal_edit", args=[setup.programme.pk, goal.pk])
    assert client.post(edit, RETENTION_GOAL).status_code == 404
    assert setup.programme.goals.get().text == goal.text


def test_a_manager_edits_and_removes_a_goal(client_for: Any, setup: Any) -> None:
    client = client_for(setup.personas.manager)
    goal = setup.programme.goals.get()
    edit = reverse("programme_goal_edit", args=[setup.programme.pk, goal.pk])
    client.post(edit, {**RETENTION_GOAL, "target": "92.5"})
    goal.refresh_from_db()
    assert (goal.target, goal.primary) == (Decimal("92.5"), True)
    delete = reverse("programme_goal_delete", args=[setup.programme.pk, goal.pk])
    client.post(delete, {"confirm": "on"})
    assert not setup.programme.goals.exists()
    assert AuditEntry.objects.filter(action="programmes.goal.delete").count() == 1


def test_the_next_cohort_starts_with_the_same_goals(setup: Any) -> None:
    copy = design.programme_copy(programme=setup.programme, actor=setup.personas.manager)
    assert list(copy.goals.values_list("text", "measure", "target", "horizon_months")) == list(
        setup.programme.goals.values_list("text", "measure", "target", "horizon_months")
    )
