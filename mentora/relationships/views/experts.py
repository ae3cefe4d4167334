"""The expert network's pages: connecting, one's own connections, their activity."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.confirm import run_confirmed
from mentora.core.messages import attempt, submit
from mentora.people.models import label_related
from mentora.programmes import access as programme_access
from mentora.programmes.models import Participant, ParticipantRole, ProgrammeKind
from mentora.relationships import access
from mentora.relationships.forms import (
    ExpertActivityForm,
    ExpertConnectForm,
)
from mentora.relationships.models import ExpertActivityKind, ExpertConnection
from mentora.relationships.services import experts as experts_services
from mentora.relationships.services import flash as flash_services
from mentora.relationships.views.flash import own_expert_participations


@login_required
def expert_network(request: HttpRequest, programme_id: int) -> HttpResponse:

    programme = programme_access.access_programme(request.user, programme_id, write=True)
    taking_part = (
        Participant.objects.filter(programme=programme)
        .exclude(status__in=experts_services.NOT_TAKING_PART)
        .select_related(*label_related("person"))
        .order_by("person__last_name", "person__first_name", "pk")
    )
    experts = [p for p in taking_part if p.role == ParticipantRole.MENTOR]
    themes = sorted({str(t).strip() for e in experts for t in e.themes()}, key=str.casefold)
    connections = (
        ExpertConnection.objects.filter(programme=programme)
        .select_related(*label_related("learner__person"), *label_related("expert__person"))
        .prefetch_related("activities")
    )
    return render(
        request,
        "relationships/experts.html",
        {
            "programme": programme,
            "is_expert_network": programme.kind == ProgrammeKind.EXPERT_NETWORK,
            "learners": [p for p in taking_part if p.role == ParticipantRole.MENTEE],
            "experts": experts,
            "themes": themes,
            "summary": experts_services.expert_activity_summary(programme),
            "quiet_days": experts_services.QUIET_DAYS,
            "connections": connections,
            "flash": flash_services.flash_usefulness_counts(programme),
        },
    )


@login_required
@require_POST
def expert_connect(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    form = ExpertConnectForm(request.POST, programme=programme)
    if not form.is_valid():
        # Both fields say the same; once is enough.
        messages.error(request, _("Choose a learner and an expert."))
        return redirect("expert_network", programme_id=programme.pk)
    attempt(
        request,
        experts_services.expert_connect,
        programme=programme,
        actor=request.user,
        success=_("Connected. Both have been told by e-mail."),
        **form.cleaned_data,
    )
    return redirect("expert_network", programme_id=programme.pk)


@login_required
def my_experts(request: HttpRequest) -> HttpResponse:

    connections = access.expert_connections_of(request.user).prefetch_related("activities")
    bookings = list(access.flash_bookings_of(request.user).order_by("slot__starts_at", "pk"))
    expert_in = list(own_expert_participations(request.user))
    now = timezone.now()
    slots = access.flash_slots_of(request.user).filter(
        cancelled_at__isnull=True, starts_at__gt=now - dt.timedelta(days=1)
    )
    booked = {b.slot_id: b for b in bookings if b.cancelled_at is None}
    return render(
        request,
        "relationships/my_experts.html",
        {
            "as_learner": [c for c in connections if c.learner.user_id == request.user.pk],
            "as_expert": [c for c in connections if c.expert.user_id == request.user.pk],
            "kinds": ExpertActivityKind.choices,
            "today": timezone.localdate(),
            "now": now,
            "flash_learning": [b for b in bookings if b.learner.user_id == request.user.pk],
            "flash_open": access.flash_slots_to_book(request.user)[:50],
            "flash_expert_in": expert_in,
            "flash_slots": [(slot, booked.get(slot.pk)) for slot in slots],
            "usefulness": flash_services.USEFULNESS,
        },
    )


@login_required
@require_POST
def expert_activity(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = access.access_expert_connection(request.user, connection_id)
    submit(
        request,
        ExpertActivityForm(request.POST),
        experts_services.expert_activity_record,
        connection=connection,
        actor=request.user,
        success=_("Activity recorded."),
    )
    return _back_from(connection, request)


@login_required
@require_POST
def expert_close(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = access.access_expert_connection(request.user, connection_id)
    run_confirmed(
        request,
        experts_services.expert_disconnect,
        connection=connection,
        actor=request.user,
        success=_("The connection is closed; its activity is kept."),
    )
    return _back_from(connection, request)


def _back_from(connection: ExpertConnection, request: HttpRequest) -> HttpResponse:
    """The two of them go back to their own page; a manager to the programme's overview."""
    if request.user.pk in connection.member_user_ids():
        return redirect("my_experts")
    return redirect("expert_network", programme_id=connection.programme_id)
