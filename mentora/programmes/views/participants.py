"""A participant's own pages: applying, leaving, the published application link, and the
list of their programmes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.confirm import run_confirmed
from mentora.core.messages import run_on_form, submit
from mentora.people.models import Person, label_related
from mentora.programmes import access
from mentora.programmes.forms import ApplicationForm, AvailabilityForm, TakesMenteesForm
from mentora.programmes.models import ParticipantRole, ParticipantStatus, Programme
from mentora.programmes.services import availability, pipeline
from mentora.programmes.views.common import _me, _posted

S = ParticipantStatus
# Statuses in which a mentor can be chosen as someone's preferred mentor.
MENTOR_POOL = [S.APPLIED, S.UNDER_REVIEW, S.APPROVED, S.TRAINED, S.READY]


def _application_form(request: HttpRequest, programme: Programme, role: str) -> ApplicationForm:
    questions = list(programme.questions.filter(role=role))
    mentors = list(
        programme.participants.filter(role=ParticipantRole.MENTOR, status__in=MENTOR_POOL)
        .exclude(user=_me(request))
        .select_related(*label_related("person"))
    )
    return ApplicationForm(_posted(request), questions=questions, mentors=mentors)


def _application_sent(
    request: HttpRequest, form: ApplicationForm, *, programme: Programme, person: Person, role: str
) -> bool:
    """Send a posted application; the service's refusal shows on the form."""
    if request.method != "POST" or not form.is_valid():
        return False
    sent = run_on_form(
        form,
        pipeline.participant_apply,
        programme=programme,
        person=person,
        role=role,
        answers=form.answers(),
        actor=request.user,
    )
    if sent is None:
        return False
    messages.success(request, _("Thank you: your application was sent."))
    return True


@login_required
def participant_apply(request: HttpRequest, participant_id: int) -> HttpResponse:
    """The application form for someone who was invited."""
    participant = access.access_own_participation(request.user, participant_id)
    programme = participant.programme
    if participant.status != S.INVITED:
        messages.info(request, _("You have already applied to this programme."))
        return redirect("my_programmes")
    form = _application_form(request, programme, participant.role)
    if _application_sent(
        request, form, programme=programme, person=participant.person, role=participant.role
    ):
        return redirect("my_programmes")
    return render(
        request,
        "programmes/apply.html",
        {"programme": programme, "form": form, "role": participant.get_role_display()},
    )


@login_required
@require_POST
def participant_withdraw(request: HttpRequest, participant_id: int) -> HttpResponse:
    """A participant leaves the programme, without having to give a reason."""
    participant = access.access_own_participation(request.user, participant_id)
    run_confirmed(
        request,
        pipeline.participant_transition,
        participant=participant,
        to_status=S.WITHDRAWN,
        actor=request.user,
        success=_("You have left the programme."),
    )
    return redirect("my_programmes")


@login_required
def programme_apply_link(request: HttpRequest, token: str) -> HttpResponse:
    """The published application link: anyone in a taking-part organisation may apply."""
    programme = access.access_programme_by_token(request.user, token)
    person = access.applicant_person(request.user, programme)
    if person is None:
        return render(
            request, "programmes/apply_unavailable.html", {"programme": programme}, status=403
        )
    role = request.POST.get("role") or request.GET.get("role")
    if role not in ParticipantRole.values:
        # First step, without JavaScript: choose the role, which decides the questions.
        return render(
            request,
            "programmes/apply.html",
            {"programme": programme, "choosing": True, "roles": ParticipantRole.choices},
        )
    assert role is not None
    form = _application_form(request, programme, role)
    if _application_sent(request, form, programme=programme, person=person, role=role):
        return redirect("my_programmes")
    return render(
        request,
        "programmes/apply.html",
        {
            "programme": programme,
            "form": form,
            "role": ParticipantRole(role).label,
            "role_value": role,
        },
    )


def _own_mentoring(request: HttpRequest, participant_id: int) -> Any:
    """The signed-in mentor's own participation; a mentee's has no places to offer."""
    participant = access.access_own_participation(request.user, participant_id)
    if participant.role != ParticipantRole.MENTOR:
        raise Http404
    return participant


@login_required
def participant_availability(request: HttpRequest, participant_id: int) -> HttpResponse:
    """A mentor sets how many mentees they take, when, or that they take no more."""
    participant = _own_mentoring(request, participant_id)
    form = AvailabilityForm(_posted(request), participant=participant)
    if request.method == "POST" and form.is_valid():
        saved = run_on_form(
            form,
            availability.participant_availability_set,
            participant=participant,
            actor=request.user,
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, _("Your places and availability were saved."))
            return redirect("my_programmes")
    return render(
        request,
        "programmes/availability.html",
        {"participant": participant, "programme": participant.programme, "form": form},
    )


@login_required
@require_POST
def participant_takes_mentees(request: HttpRequest, participant_id: int) -> HttpResponse:
    """The one switch on a mentor's programme card: no more mentees, or take them again."""
    participant = _own_mentoring(request, participant_id)
    submit(
        request,
        TakesMenteesForm(request.POST),
        availability.participant_availability_set,
        participant=participant,
        actor=request.user,
        success=lambda saved: (
            _("You take new mentees again.")
            if saved.takes_mentees
            else _("You take no more mentees; your pairs at work go on.")
        ),
    )
    return redirect("my_programmes")


@login_required
def my_programmes(request: HttpRequest) -> HttpResponse:
    participations = (
        access.participations_of(request.user)
        .select_related("programme__organisation")
        # One query for the events of every row, not one per participation; and the pairs
        # (a layer above, read through the reverse relations) for the way to pause them.
        .prefetch_related("programme__events", "pairs_as_mentee", "pairs_as_mentor")
        .order_by("-created_at")
    )
    rows = []
    for participation in participations:
        # Events sit a layer above; they are read through the reverse relation.
        events = [
            e for e in participation.programme.events.all() if e.is_required_for(participation.role)
        ]
        can_withdraw = S.WITHDRAWN in pipeline.TRANSITIONS[participation.status]
        pairs = [
            pair
            for pair in [*participation.pairs_as_mentee.all(), *participation.pairs_as_mentor.all()]
            if pair.ended_at is None
        ]
        rows.append((participation, events, can_withdraw, pairs))
    offering = [s for s in S.values if s not in availability.ENDED]
    return render(request, "programmes/my_programmes.html", {"rows": rows, "offering": offering})
