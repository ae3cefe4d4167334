"""Setting a programme's measurable goals at design time: the form, the services, the pages.

Managers write each goal, say what in Mentora measures it and the target, and may mark one
as the primary outcome; the outcome report reads the goals back to say whether each was met.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.audit import audit_log, diff, snapshot
from mentora.core.confirm import confirmed
from mentora.core.forms import ModelForm
from mentora.programmes import access
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


class GoalForm(ModelForm):
    class Meta:
        model = ProgrammeGoal
        fields = list(GOAL_FIELDS)
        widgets = {"text": forms.TextInput(attrs={"size": 60})}


# Services -----------------------------------------------------------------------------------


def _audit(*, actor: Any, action: str, goal: ProgrammeGoal, changes: dict[str, Any]) -> None:
    audit_log(actor=actor, action=action, obj=goal, programme=goal.programme, changes=changes)


def _give_up_primary(programme: Programme, keep: int | None, actor: Any) -> None:
    # One primary outcome per programme: naming a new one demotes the old, on the record.
    others = programme.goals.filter(primary=True)
    for other in others.exclude(pk=keep) if keep is not None else others:
        other.primary = False
        other.save(update_fields=["primary"])
        _audit(
            actor=actor,
            action="programmes.goal.update",
            goal=other,
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
    _audit(actor=actor, action="programmes.goal.add", goal=goal, changes=_facts(goal))
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
        _audit(actor=actor, action="programmes.goal.update", goal=goal, changes=changes)
    return goal


@transaction.atomic
def goal_delete(*, goal: ProgrammeGoal, actor: Any) -> None:
    """Remove a goal from the design."""
    _audit(actor=actor, action="programmes.goal.delete", goal=goal, changes=_facts(goal))
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


# Pages --------------------------------------------------------------------------------------


def _page(request: HttpRequest, programme: Programme, form: GoalForm) -> HttpResponse:
    return render(
        request,
        "programmes/goals.html",
        {
            "programme": programme,
            "goals": programme.goals.all(),
            "form": form,
            "can_manage": access.can_manage_programme(request.user, programme),
        },
    )


@login_required
def programme_goals(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The programme's goals; managers add one with the form below the list."""
    programme = access.access_programme(request.user, programme_id, write=request.method == "POST")
    form = GoalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            goal_add(programme=programme, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The goal was added."))
            return redirect("programme_goals", programme.pk)
    return _page(request, programme, form)


@login_required
def programme_goal_edit(request: HttpRequest, programme_id: int, goal_id: int) -> HttpResponse:
    goal = access.access_programme_goal(request.user, programme_id, goal_id)
    form = GoalForm(request.POST if request.method == "POST" else None, instance=goal)
    if request.method == "POST" and form.is_valid():
        fresh = ProgrammeGoal.objects.select_related("programme").get(pk=goal.pk)
        goal_update(goal=fresh, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The goal was saved."))
        return redirect("programme_goals", programme_id)
    return render(
        request,
        "programmes/goal_edit.html",
        {"programme": goal.programme, "goal": goal, "form": form, "can_manage": True},
    )


@login_required
@require_POST
def programme_goal_delete(request: HttpRequest, programme_id: int, goal_id: int) -> HttpResponse:
    goal = access.access_programme_goal(request.user, programme_id, goal_id)
    if confirmed(request):
        goal_delete(goal=goal, actor=request.user)
        messages.success(request, _("The goal was removed."))
    return redirect("programme_goals", programme_id)
