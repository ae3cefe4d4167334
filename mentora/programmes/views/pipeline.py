"""The managers' pipeline: participants by status, invitations, a participant's record,
status changes and screening interviews; and the line manager's approvals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mentora.accounts import access as accounts_access
from mentora.core.messages import refusal, submit
from mentora.core.tables import Column, sort_table
from mentora.people.models import label_related
from mentora.programmes import access
from mentora.programmes.forms import (
    InviteForm,
    LineManagerDecisionForm,
    ScreeningRecordForm,
    ScreeningScheduleForm,
    TransitionForm,
)
from mentora.programmes.history import participant_history
from mentora.programmes.models import (
    Participant,
    ParticipantEvent,
    ParticipantRole,
    ParticipantStatus,
)
from mentora.programmes.services import pipeline as pipeline_services
from mentora.programmes.services import screening
from mentora.programmes.views.bulk import ACTIONS as BULK_ACTIONS
from mentora.programmes.views.common import _page

S = ParticipantStatus


# The pipeline's statuses in their order, so that sorting by status follows the pipeline.
_STATUS_ORDER = Case(
    *(When(status=value, then=Value(rank)) for rank, value in enumerate(S.values)),
    output_field=IntegerField(),
)

PIPELINE_COLUMNS = [
    Column("name", gettext_lazy("Name"), order=("person__last_name", "person__first_name")),
    Column("role", gettext_lazy("Role"), order=("role", "person__last_name")),
    Column("status", gettext_lazy("Status"), order=("status_rank", "person__last_name")),
    Column("applied", gettext_lazy("Applied"), order=("applied_at",)),
]


def _with_applied(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """The participants with the rank of their status and when they first applied (None
    for those who have not)."""
    applied = ParticipantEvent.objects.filter(
        participant=OuterRef("pk"), to_status=S.APPLIED
    ).order_by("at", "pk")
    return participants.annotate(
        status_rank=_STATUS_ORDER, applied_at=Subquery(applied.values("at")[:1])
    )


@login_required
def programme_pipeline(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id)
    can_manage = access.can_manage_programme(request.user, programme)
    counts = programme.participants.counts_by_status()
    status = request.GET.get("status", "")
    role = request.GET.get("role", "")
    query = request.GET.get("q", "").strip()
    table = None
    # Sponsors and partner staff see the counts; names and details are for managers.
    if can_manage:
        participants = programme.participants.select_related(*label_related("person"))
        if status in S.values:
            participants = participants.filter(status=status)
        if role in ParticipantRole.values:
            participants = participants.filter(role=role)
        if query:
            participants = participants.filter(
                Q(person__first_name__icontains=query)
                | Q(person__last_name__icontains=query)
                | Q(person__email__icontains=query)
            )
        table = sort_table(
            request, _with_applied(participants), PIPELINE_COLUMNS, default="name", per_page=100
        )
    return _page(
        request,
        "programmes/programme_pipeline.html",
        programme,
        columns=[(value, label, counts.get(value, 0)) for value, label in S.choices],
        total=sum(counts.values()),
        table=table,
        page=table.page if table else None,
        status=status,
        role=role,
        q=query,
        statuses=S.choices,
        roles=ParticipantRole.choices,
        invite_form=InviteForm(organisation=programme.organisation) if can_manage else None,
        bulk_actions=BULK_ACTIONS,
        # Events sit a layer above; their registration page is reached by its URL's name.
        workshops=programme.events.filter(starts_at__gte=timezone.now()) if can_manage else [],
    )


@login_required
@require_POST
def participant_invite(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    form = InviteForm(request.POST, request.FILES, organisation=programme.organisation)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("Check the invitation form.")]:
            messages.error(request, str(error))
        return redirect("programme_pipeline", programme.pk)
    identifiers = form.cleaned_data["people"].splitlines()
    upload = form.cleaned_data.get("csv_file")
    if upload:
        text = upload.read().decode("utf-8-sig", errors="replace")
        try:
            identifiers += pipeline_services.identifiers_from_csv(text)
        except ValidationError as error:
            refusal(request, error)
            return redirect("programme_pipeline", programme.pk)
    outcome = pipeline_services.participants_invite_many(
        programme=programme,
        identifiers=identifiers,
        role=form.cleaned_data["role"],
        actor=request.user,
        people=form.cleaned_data["chosen"],
    )
    if outcome.invited:
        messages.success(request, _("%(n)s invitation(s) sent.") % {"n": len(outcome.invited)})
    for problem in outcome.problems:
        messages.error(request, problem)
    return redirect("programme_pipeline", programme.pk)


@login_required
def participant_detail(
    request: HttpRequest, programme_id: int, participant_id: int
) -> HttpResponse:
    participant = access.access_participant(request.user, participant_id)
    if participant.programme_id != programme_id:
        raise Http404
    programme = participant.programme
    can_manage = access.can_manage_programme(request.user, programme)
    questions = {str(q.pk): q for q in programme.questions.filter(role=participant.role)}
    answers = [
        (questions[key].text if key in questions else _("A question since removed"), value)
        for key, value in participant.answers.items()
    ]
    return _page(
        request,
        "programmes/participant_detail.html",
        programme,
        participant=participant,
        answers=answers,
        events=participant_history(participant),
        sees_sensitive=accounts_access.can_see_sensitive_attributes(
            request.user, participant.person.organisation
        ),
        transition_form=TransitionForm(allowed=pipeline_services.allowed_transitions(participant))
        if can_manage
        else None,
        screening_form=ScreeningScheduleForm(initial={"at": participant.screening_at})
        if can_manage and participant.role == ParticipantRole.MENTOR
        else None,
        outcome_form=ScreeningRecordForm(
            initial={
                "outcome": participant.screening_outcome,
                "notes": participant.screening_notes,
            }
        )
        if can_manage and participant.role == ParticipantRole.MENTOR
        else None,
    )


def _record_change(
    request: HttpRequest,
    participant_id: int,
    form: forms.BaseForm,
    service: Callable[..., Any],
    *,
    success: str,
) -> HttpResponse:
    """A manager's change to a participant's record: the form, the service, back to the record."""
    participant = access.access_participant(request.user, participant_id, write=True)
    submit(request, form, service, participant=participant, actor=request.user, success=success)
    return redirect("participant_detail", participant.programme_id, participant.pk)


@login_required
@require_POST
def participant_transition(request: HttpRequest, participant_id: int) -> HttpResponse:
    return _record_change(
        request,
        participant_id,
        TransitionForm(request.POST, allowed=S.values),
        pipeline_services.participant_transition,
        success=_("The status was changed."),
    )


@login_required
@require_POST
def screening_schedule(request: HttpRequest, participant_id: int) -> HttpResponse:
    return _record_change(
        request,
        participant_id,
        ScreeningScheduleForm(request.POST),
        screening.screening_schedule,
        success=_("The interview was booked."),
    )


@login_required
@require_POST
def screening_record(request: HttpRequest, participant_id: int) -> HttpResponse:
    return _record_change(
        request,
        participant_id,
        ScreeningRecordForm(request.POST),
        screening.screening_record,
        success=_("The interview was recorded."),
    )


@login_required
def line_manager_approvals(request: HttpRequest) -> HttpResponse:
    participations = (
        access.line_manager_mentees(request.user)
        .select_related("programme", *label_related("person"))
        .order_by("programme__name", "person__last_name")
    )
    pending = [p for p in participations if p.status == S.NEEDS_LINE_MANAGER]
    others = [p for p in participations if p.status != S.NEEDS_LINE_MANAGER]
    return render(
        request,
        "programmes/line_manager_approvals.html",
        {"pending": pending, "others": others, "form": LineManagerDecisionForm()},
    )


@login_required
@require_POST
def line_manager_decide(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = access.access_participant_as_line_manager(request.user, participant_id)
    submit(
        request,
        LineManagerDecisionForm(request.POST),
        pipeline_services.line_manager_decide,
        participant=participant,
        actor=request.user,
        success=_("Thank you: your decision was recorded."),
    )
    return redirect("line_manager_approvals")
