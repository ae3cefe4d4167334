"""Flash mentoring: an expert's slots, booking one, cancelling, and the one question after."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.confirm import run_confirmed
from mentora.core.messages import attempt, submit, valid
from mentora.programmes.models import Participant, ParticipantRole, ProgrammeKind
from mentora.relationships import access
from mentora.relationships.forms import FlashSlotForm, FlashTimeForm, UsefulnessForm
from mentora.relationships.services import flash


def own_expert_participations(user: Any) -> QuerySet[Participant]:
    """The expert networks where `user` takes part as an expert."""
    return (
        Participant.objects.filter(
            user_id=user.pk,
            role=ParticipantRole.MENTOR,
            programme__kind=ProgrammeKind.EXPERT_NETWORK,
        )
        .exclude(status__in=access.NOT_TAKING_PART_STATUSES)
        .select_related("programme")
    )


def _back(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Those taking part go back to their own page; a manager to the programme's overview."""
    if request.POST.get("back") == "network":
        return redirect("expert_network", programme_id=programme_id)
    return redirect("my_experts")


@login_required
@require_POST
def flash_slot_publish(request: HttpRequest) -> HttpResponse:
    form = FlashSlotForm(
        request.POST,
        experts=own_expert_participations(request.user),
        time_zone=request.user.time_zone,  # type: ignore[union-attr]
    )
    if valid(request, form):
        attempt(
            request,
            flash.flash_slot_publish,
            expert=form.cleaned_data["expert"],
            actor=request.user,
            starts_at=form.starts_at(),
            duration_minutes=form.cleaned_data["duration_minutes"],
            place=form.cleaned_data["place"],
            link=form.cleaned_data["link"],
            success=_("The time is offered to the learners of the network."),
        )
    return redirect("my_experts")


@login_required
@require_POST
def flash_slot_move(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = access.access_flash_slot(request.user, slot_id)
    form = FlashTimeForm(request.POST, time_zone=request.user.time_zone)  # type: ignore[union-attr]
    if valid(request, form):
        attempt(
            request,
            flash.flash_slot_move,
            slot=slot,
            actor=request.user,
            starts_at=form.starts_at(),
            duration_minutes=form.cleaned_data["duration_minutes"],
            success=_("The time is moved; a learner who booked it gets the new invitation."),
        )
    return _back(request, slot.expert.programme_id)


@login_required
@require_POST
def flash_slot_cancel(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = access.access_flash_slot(request.user, slot_id)
    run_confirmed(
        request,
        flash.flash_slot_cancel,
        slot=slot,
        actor=request.user,
        success=_("The time is withdrawn; a learner who booked it has been told."),
    )
    return _back(request, slot.expert.programme_id)


@login_required
@require_POST
def flash_book(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot, learner = access.access_flash_slot_to_book(request.user, slot_id)
    attempt(
        request,
        flash.flash_book,
        slot=slot,
        learner=learner,
        actor=request.user,
        success=_("Booked. You both get a calendar invitation."),
    )
    return redirect("my_experts")


@login_required
@require_POST
def flash_booking_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = access.access_flash_booking(request.user, booking_id)
    run_confirmed(
        request,
        flash.flash_booking_cancel,
        booking=booking,
        actor=request.user,
        success=_("The conversation is cancelled; you both get the cancellation."),
    )
    return _back(request, booking.slot.expert.programme_id)


@login_required
@require_POST
def flash_followup(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = access.access_flash_booking(request.user, booking_id)
    submit(
        request,
        UsefulnessForm(request.POST),
        flash.flash_followup_answer,
        booking=booking,
        actor=request.user,
        success=_("Thank you for answering."),
    )
    return redirect("my_experts")
