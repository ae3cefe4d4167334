from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from mentora.core import bulk
from mentora.core.confirm import confirmed
from mentora.core.forms import ModelChoiceField, parse_id
from mentora.core.messages import attempt, refusal
from mentora.events import access, services
from mentora.events.forms import EventForm
from mentora.events.models import Event, RegistrationStatus, RequiredFor
from mentora.people.models import label_related
from mentora.programmes.access import access_programme
from mentora.programmes.models import ParticipantRole, ParticipantStatus, Programme
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


# Registering many participants at once, from the pipeline's list -------------------------------


class RegisterManyForm(bulk.BulkForm):
    event = ModelChoiceField(label=gettext_lazy("Workshop"), queryset=Event.objects.none())

    def __init__(self, data: Any = None, *, programme: Programme) -> None:
        participants = programme.participants.select_related("person").order_by(
            "person__last_name", "person__first_name", "pk"
        )
        super().__init__(data, queryset=participants)
        self.fields["event"].queryset = programme.events.filter(  # type: ignore[attr-defined]
            starts_at__gte=timezone.now()
        )


def _registration_preview(form: RegisterManyForm) -> bulk.BulkPreview:
    """Who takes a place, who goes on the waiting list once the places are gone, and who is
    skipped: the same rules as one registration, in the order of the list."""
    event: Event = form.cleaned_data["event"]
    held = dict(
        event.registrations.exclude(status=RegistrationStatus.CANCELLED).values_list(
            "participant_id", "status"
        )
    )
    free = (
        None
        if event.capacity is None
        else event.capacity - list(held.values()).count(RegistrationStatus.REGISTERED)
    )

    def check(participant: Any) -> str:
        nonlocal free
        services.registration_check(event=event, participant=participant)
        if participant.pk in held:
            raise ValidationError(
                _("Already registered (%(status)s).")
                % {"status": RegistrationStatus(held[participant.pk]).label}
            )
        if free is not None and free <= 0:
            return _("Goes on the waiting list: the workshop is full.")
        if free is not None:
            free -= 1
        return _("Takes a place.")

    return bulk.bulk_preview(
        form.cleaned_data["ids"],
        label=lambda participant: participant.person.full_name,
        check=check,
    )


@login_required
@require_POST
def event_register_many(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The preview of registering the participants chosen on the pipeline's list."""
    programme = access_programme(request.user, programme_id, write=True)
    return bulk.show_preview(
        request,
        RegisterManyForm(request.POST, programme=programme),
        back=reverse("programme_pipeline", args=[programme.pk]),
        preview=_registration_preview,
        page=partial(_page, request, "events/register_many.html", programme),
        # The confirmation carries the chosen workshop on, unseen.
        hidden=lambda form: ["event"],
        context=lambda form: {"event": form.cleaned_data["event"], "reversible": False},
    )


def _registered(form: RegisterManyForm, outcome: bulk.BulkOutcome) -> str:
    n = len(outcome.done)
    waiting = sum(
        1
        for _p, registration in outcome.done
        if registration.status == RegistrationStatus.WAITLISTED
    )
    return ngettext(
        "%(n)s registered for “%(event)s”, %(waiting)s of them on the waiting list.",
        "%(n)s registered for “%(event)s”, %(waiting)s of them on the waiting list.",
        n,
    ) % {"n": n, "event": form.cleaned_data["event"].title, "waiting": waiting}


@login_required
@require_POST
def event_register_many_apply(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Register them, each through the single registration (its places, waiting list,
    e-mail and audit entry), in one transaction, once the manager ticks the confirmation."""
    programme = access_programme(request.user, programme_id, write=True)
    actor = request.user

    def register(form: RegisterManyForm) -> Callable[[Any], Any]:
        event = form.cleaned_data["event"]
        return lambda participant: services.event_register(
            event=event, participant=participant, actor=actor
        )

    return bulk.run_batch(
        request,
        RegisterManyForm(request.POST, programme=programme),
        back=reverse("programme_pipeline", args=[programme.pk]),
        preview=_registration_preview,
        apply=register,
        done=_registered,
    )
