"""A programme's measurable goals, set at design time: what measures each, its target, and at
most one primary outcome, which the outcome report reads back to say whether it was met."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from mentora.core.audit import audit_log, diff, snapshot
from mentora.programmes.goal_models import ProgrammeGoal
from mentora.programmes.models import Programme

GOAL_FIELDS = (
    "text",
    "measure",
    "target",
    "construct",
    "horizon_months",
    "min_meetings",
    "primary",
)


def _give_up_primary(programme: Programme, keep: int | None, actor: Any) -> None:
    # One primary outcome per programme: naming a new one demotes the old, on the record.
    others = programme.goals.filter(primary=True)
    for other in others.exclude(pk=keep) if keep is not None else others:
        other.primary = False
        other.save(update_fields=["primary"])
        audit_log(
            actor=actor,
            action="programmes.goal.update",
            obj=other,
            programme=other.programme,
            changes={"primary": {"old": True, "new": False}},
        )


@transaction.atomic
def goal_add(*, programme: Programme, actor: Any, **values: Any) -> ProgrammeGoal:
    """Add a goal at the end of the programme's list; a primary one replaces the old primary."""
    last = programme.goals.aggregate(m=Max("position"))["m"]
    goal = ProgrammeGoal(programme=programme, position=0 if last is None else last + 1, **values)
    goal.full_clean(exclude=["programme"])
    if goal.primary:
        _give_up_primary(programme, None, actor)
    goal.save()
    audit_log(
        actor=actor,
        action="programmes.goal.add",
        obj=goal,
        programme=goal.programme,
        changes=_facts(goal),
    )
    return goal


@transaction.atomic
def goal_update(*, goal: ProgrammeGoal, actor: Any, **values: Any) -> ProgrammeGoal:
    """Change a goal; making it primary demotes the programme's other primary outcome."""
    before = _facts(goal)
    for name, value in values.items():
        setattr(goal, name, value)
    goal.full_clean(exclude=["programme"])
    if goal.primary:
        _give_up_primary(goal.programme, goal.pk, actor)
    goal.save()
    changes = diff(before, _facts(goal))
    if changes:
        audit_log(
            actor=actor,
            action="programmes.goal.update",
            obj=goal,
            programme=goal.programme,
            changes=changes,
        )
    return goal


@transaction.atomic
def goal_delete(*, goal: ProgrammeGoal, actor: Any) -> None:
    """Remove a goal from the design."""
    audit_log(
        actor=actor,
        action="programmes.goal.delete",
        obj=goal,
        programme=goal.programme,
        changes=_facts(goal),
    )
    goal.delete()


def goals_copy(*, source: Programme, target: Programme) -> None:
    """The next cohort starts with the same goals (and primary outcome) as this one."""
    ProgrammeGoal.objects.bulk_create(
        ProgrammeGoal(
            programme=target,
            position=goal.position,
            **{name: getattr(goal, name) for name in GOAL_FIELDS},
        )
        for goal in source.goals.all()
    )


def _facts(goal: ProgrammeGoal) -> dict[str, Any]:
    # The goal's text is the programme's own statement, not a participant's: safe to log.
    facts = snapshot(goal, GOAL_FIELDS)
    facts["target"] = None if goal.target is None else str(goal.target)
    return facts
