"""The pair's workspace: its agreement, learning themes and feedback; and the line
manager's view of their reports' themes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.messages import attempt, submit
from mentora.core.timeline import Event
from mentora.relationships import access
from mentora.relationships.forms import (
    AgreementForm,
    FeedbackForm,
    GoalForm,
    MeetingScheduleForm,
    PauseForm,
    ProgressForm,
)
from mentora.relationships.health import pair_health
from mentora.relationships.models import (
    FeedbackDirection,
)
from mentora.relationships.services import checkins, feedback, workspace
from mentora.relationships.toolbox import phase_of, tools_for


@login_required
def pair_workspace(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    side = workspace.pair_side(pair, request.user)
    agreement = pair.latest_agreement()
    initial: dict[str, Any] = {}
    if agreement is not None:
        initial = {name: getattr(agreement, name) for name in workspace.AGREEMENT_FIELDS}
    meetings = pair.meetings.filter(cancelled_at__isnull=True)
    now = timezone.now()
    return render(
        request,
        "relationships/workspace.html",
        {
            "pair": pair,
            "side": side,
            "other": pair.mentor if side == "mentee" else pair.mentee,
            "agreement": agreement,
            "my_signature": getattr(agreement, f"{side}_signed_at", None) if agreement else None,
            "agreement_form": AgreementForm(initial=initial or None),
            "meeting_form": MeetingScheduleForm(time_zone=request.user.time_zone),  # type: ignore[union-attr]
            "upcoming": meetings.filter(starts_at__gte=now),
            "past": [
                Event(
                    at=meeting.starts_at,
                    label=meeting.get_mode_display(),
                    url=reverse("meeting_detail", args=[meeting.pk]),
                )
                for meeting in meetings.filter(starts_at__lt=now).order_by("-starts_at")
            ],
            "goals": pair.goals.all(),
            "tools": _tools(pair, request),
            "feedback": feedback.feedback_visible_to(request.user, pair).select_related("moment"),
            "directions": [
                (value, label)
                for value, label in FeedbackDirection.choices
                if feedback.AUTHOR_OF[value] == side
            ],
            "moments": pair.programme.feedback_moments.filter(opens_on__lte=timezone.localdate()),
            "checkins_open": checkins.checkins_open_for(pair, request.user, now=now),
            # Pauses in force or to come: both members see them and may end them.
            "pauses": pair.pauses.filter(
                ended_at__isnull=True, until__gte=timezone.localdate()
            ).select_related("participant__person"),
            "pause_form": PauseForm(auto_id="pause-%s"),
        },
    )


def _tools(pair: Any, request: HttpRequest) -> list[tuple[Any, str, str]]:

    language = getattr(request, "LANGUAGE_CODE", "en")
    phase = phase_of(pair_health(pair).elapsed)
    return [(t, t.title(language), t.body(language)) for t in tools_for(pair.programme, phase)]


@login_required
@require_POST
def feedback_give(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_pair_for_feedback(request.user, pair_id)
    submit(
        request,
        FeedbackForm(request.POST, pair=pair),
        feedback.feedback_give,
        pair=pair,
        actor=request.user,
        success=_("Thank you for your feedback."),
    )
    if workspace.pair_side(pair, request.user):
        return redirect("pair_workspace", pair_id=pair.pk)
    return redirect("team_goals")


@login_required
@require_POST
def agreement_save(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    submit(
        request,
        AgreementForm(request.POST),
        workspace.agreement_save,
        pair=pair,
        actor=request.user,
        success=_("The agreement is saved. Both of you sign it."),
    )
    return redirect("pair_workspace", pair_id=pair.pk)


@login_required
@require_POST
def agreement_sign(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    agreement = pair.latest_agreement()
    if agreement is None:
        raise Http404
    attempt(request, workspace.agreement_sign, agreement=agreement, actor=request.user)
    return redirect("pair_workspace", pair_id=pair.pk)


@login_required
@require_POST
def goal_add(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    submit(request, GoalForm(request.POST), workspace.goal_add, pair=pair, actor=request.user)
    return redirect("pair_workspace", pair_id=pair.pk)


@login_required
@require_POST
def goal_update(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = access.access_goal(request.user, goal_id)
    submit(
        request, ProgressForm(request.POST), workspace.goal_update, goal=goal, actor=request.user
    )
    return redirect("pair_workspace", pair_id=goal.pair_id)


@login_required
def team_goals(request: HttpRequest) -> HttpResponse:
    """For line managers: the learning themes and progress of their reports' pairs."""
    return render(
        request, "relationships/team_goals.html", {"pairs": access.team_goal_pairs(request.user)}
    )
