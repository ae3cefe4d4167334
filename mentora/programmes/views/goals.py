"""The goals page of a programme's design: the list, adding, editing and removing a goal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.programmes import access
from mentora.programmes.forms import GoalForm
from mentora.programmes.goal_models import ProgrammeGoal
from mentora.programmes.models import Programme
from mentora.programmes.services.goals import goal_add, goal_delete, goal_update
from mentora.programmes.views.common import _remove_part


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
    return _remove_part(
        request,
        programme_id,
        "programme_goals",
        goal_delete,
        goal=goal,
        success=_("The goal was removed."),
    )
