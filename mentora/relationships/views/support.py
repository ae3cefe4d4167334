"""The programme team's pages for supporting pairs: relationship health, check-ins,
nudges, the conversation toolbox and feedback moments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mentora.core.messages import attempt, submit, valid
from mentora.core.tables import Column, filters, sort_table
from mentora.programmes import access as programme_access
from mentora.relationships import access
from mentora.relationships.forms import (
    FeedbackMomentForm,
    FollowUpForm,
    HealthFilterForm,
    SupportSettingsForm,
    ToolForm,
)
from mentora.relationships.health import Health
from mentora.relationships.health import programme_health as compute
from mentora.relationships.models import (
    Feedback,
    FollowUp,
    Pair,
    SupportSettings,
    Tool,
    ToolKind,
    ToolPhase,
)
from mentora.relationships.services import feedback, support
from mentora.relationships.toolbox import tools_for


def _pair_names(health: Health) -> str:
    return f"{health.pair.mentee.person.full_name} {health.pair.mentor.person.full_name}"


LIGHT_ORDER = {"red": 0, "amber": 1, "green": 2}
HEALTH_COLUMNS = [
    Column(
        "pair",
        gettext_lazy("Pair"),
        value=lambda h: (h.pair.mentee.person.last_name, h.pair.mentee.person.first_name),
    ),
    Column("health", gettext_lazy("Health"), value=lambda h: LIGHT_ORDER[h.light]),
    Column("held", gettext_lazy("Meetings held"), value=lambda h: h.held),
    Column("last", gettext_lazy("Last met"), value=lambda h: h.days_since_last),
]


@login_required
def pair_health(request: HttpRequest, programme_id: int) -> HttpResponse:

    programme = programme_access.access_programme(request.user, programme_id, write=True)
    report = compute(programme)
    form = HealthFilterForm(request.GET)
    chosen = filters(form)
    shown = [
        h
        for h in report
        if chosen.get("light", h.light) == h.light
        and ("q" not in chosen or chosen["q"].casefold() in _pair_names(h).casefold())
    ]
    table = sort_table(
        request, shown, HEALTH_COLUMNS, default="health", per_page=50, pk=lambda h: h.pair.pk
    )
    without_follow_up = (
        Pair.objects.active().filter(programme=programme, follow_ups__isnull=True).count()
    )
    ladder = SupportSettings.of(programme)
    return render(
        request,
        "relationships/health.html",
        {
            "programme": programme,
            "report": report,
            "table": table,
            "form": form,
            "at_risk": sum(1 for h in report if h.at_risk),
            "without_follow_up": without_follow_up,
            "ladder": ladder,
            "today": timezone.localdate(),
            "moments": programme.feedback_moments.all(),
            # The team's check-in notes, except about a pair the reader belongs to.
            "team_notes": dict(
                FollowUp.objects.filter(pair__programme=programme)
                .not_about_pairs_of(request.user)
                .exclude(note="")
                .values_list("pk", "note")
            ),
            # Only feedback addressed to the programme team; the pair's own stays theirs.
            "manager_feedback": Feedback.objects.filter(pair__programme=programme)
            .for_programme_team(request.user)
            .select_related("pair__mentee__person", "pair__mentor__person"),
        },
    )


@login_required
@require_POST
def follow_up_record(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_pair_as_manager(request.user, pair_id)
    submit(
        request,
        FollowUpForm(request.POST),
        support.follow_up_record,
        pair=pair,
        actor=request.user,
        success=_("The check-in is recorded."),
    )
    return redirect("pair_health", programme_id=pair.programme_id)


@login_required
@require_POST
def pair_nudge(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_pair_as_manager(request.user, pair_id)
    support.pair_nudge(pair=pair, actor=request.user)
    messages.success(request, _("A friendly nudge is on its way to both."))
    return redirect("pair_health", programme_id=pair.programme_id)


@login_required
def support_settings(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The programme's escalation ladder and reminder intervals, in days."""
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    if request.method == "POST":
        form = SupportSettingsForm(request.POST)
        if valid(request, form):
            attempt(
                request,
                support.support_settings_update,
                programme=programme,
                actor=request.user,
                **form.changes(),
                success=_("The reminder and escalation settings are saved."),
            )
        return redirect("support_settings", programme_id=programme.pk)
    current = SupportSettings.of(programme)
    form = SupportSettingsForm(
        initial={name: getattr(current, name) for name in support.SETTINGS_FIELDS}
    )
    return render(
        request, "relationships/support_settings.html", {"programme": programme, "form": form}
    )


def _health_change(
    request: HttpRequest, programme_id: int, form: forms.BaseForm, service: Callable[..., Any]
) -> HttpResponse:
    """A change the programme team posts from the health page, shown there again."""
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    submit(request, form, service, programme=programme, actor=request.user)
    return redirect("pair_health", programme_id=programme.pk)


@login_required
def programme_toolbox(request: HttpRequest, programme_id: int) -> HttpResponse:

    programme = programme_access.access_programme(request.user, programme_id, write=True)
    if request.method == "POST":
        submit(
            request,
            ToolForm(request.POST),
            feedback.tool_save,
            programme=programme,
            actor=request.user,
            success=_("The tool is saved."),
        )
        return redirect("programme_toolbox", programme_id=programme.pk)
    return render(
        request,
        "relationships/toolbox.html",
        {
            "programme": programme,
            "tools": tools_for(programme),
            "library": Tool.objects.filter(programme__isnull=True),
            "kinds": ToolKind.choices,
            "phases": ToolPhase.choices,
        },
    )


@login_required
@require_POST
def feedback_moment_add(request: HttpRequest, programme_id: int) -> HttpResponse:
    return _health_change(
        request, programme_id, FeedbackMomentForm(request.POST), feedback.feedback_moment_add
    )
