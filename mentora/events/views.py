from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.confirm import confirmed
from mentora.core.forms import parse_id
from mentora.core.messages import attempt, refusal
from mentora.events import access, services
from mentora.events.forms import EventForm
from mentora.events.models import RegistrationStatus, RequiredFor
from mentora.people.models import label_related
from mentora.programmes.access import access_programme
from mentora.programmes.models import ParticipantRole, ParticipantStatus
from mentora.programmes.views.common import _page

S = ParticipantStatus


@login_required
def programme_events(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access_programme(request.user, programme_id, write=request.method == "POST")
    form = EventForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.event_create(programme=programme, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The workshop was scheduled."))
        return redirect("programme_events", programme.pk)
    return _page(
        request,
        "events/programme_events.html",
        programme,
        events=programme.events.annotate(
            taken=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
            ),
            waiting=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
            ),
        ),
        form=form,
        http_status=400 if form.is_bound else 200,
    )


@login_required
def event_attendance(request: HttpRequest, programme_id: int, event_id: int) -> HttpResponse:
    event = access.access_event(request.user, programme_id, event_id, write=True)
    programme = event.programme
    roles = [
        r
        for r in ParticipantRole.values
        if event.required_for in (RequiredFor.BOTH, RequiredFor.NONE, r)
    ]
    candidates = list(
        programme.participants.filter(
            role__in=roles, status__in=[S.APPROVED, S.TRAINED, S.READY]
        ).select_related(*label_related("person"))
    )
    if request.method == "POST":
        chosen = {parse_id(v) for v in request.POST.getlist("attended")} - {None}
        try:
            outcome = services.attendance_record(
                event=event,
                attended=[p for p in candidates if p.pk in chosen],
                actor=request.user,
            )
        except ValidationError as error:
            refusal(request, error)
        else:
            messages.success(
                request,
                _("Attendance was recorded; %(n)s participant(s) are now trained.")
                % {"n": len(outcome.trained)},
            )
            if outcome.untrained:
                messages.warning(
                    request,
                    _(
                        "%(n)s participant(s) no longer attended every required workshop and "
                        "went back to approved: %(names)s."
                    )
                    % {
                        "n": len(outcome.untrained),
                        "names": ", ".join(p.person.full_name for p in outcome.untrained),
                    },
                )
            return redirect("programme_events", programme.pk)
    attended = set(event.attendance.filter(attended=True).values_list("participant_id", flat=True))
    return _page(
        request,
        "events/event_attendance.html",
        programme,
        event=event,
        rows=[(p, p.pk in attended) for p in candidates],
    )


@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    """Upcoming events of the user's programmes, with their own registrations."""
    return render(
        request, "events/my_events.html", {"rows": access.own_upcoming_events(request.user)}
    )


@login_required
@require_POST
def event_register(request: HttpRequest, event_id: int) -> HttpResponse:
    event, participant = access.own_participation_for_event(request.user, event_id)
    attempt(
        request,
        services.event_register,
        event=event,
        participant=participant,
        actor=request.user,
        success=lambda registration: (
            _("The event is full: you are on the waiting list.")
            if registration.status == RegistrationStatus.WAITLISTED
            else _("Your place is booked; a calendar invitation is on its way.")
        ),
    )
    return redirect("my_events")


@login_required
@require_POST
def event_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = access.access_event_registration(request.user, registration_id)
    if confirmed(request):
        services.event_cancel(registration=registration, actor=request.user)
        messages.success(request, _("The registration is cancelled."))
    if registration.participant.user_id == request.user.pk:
        return redirect("my_events")
    return redirect("programme_events", programme_id=registration.event.programme_id)
