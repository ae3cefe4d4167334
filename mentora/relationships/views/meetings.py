"""A pair's meetings: planning one, its page and calendar file, and recordings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.confirm import run_confirmed
from mentora.core.messages import attempt, submit, valid
from mentora.relationships import access
from mentora.relationships.calendar import meeting_ics as build
from mentora.relationships.forms import (
    MeetingForm,
    MeetingScheduleForm,
    RatingForm,
    RecordingConsentForm,
)
from mentora.relationships.services import meetings as meetings_services
from mentora.relationships.services import workspace


@login_required
@require_POST
def meeting_schedule(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    form = MeetingScheduleForm(request.POST, time_zone=request.user.time_zone)  # type: ignore[union-attr]
    if valid(request, form):
        attempt(
            request,
            meetings_services.meeting_schedule,
            pair=pair,
            actor=request.user,
            starts_at=form.starts_at(),
            duration_minutes=form.cleaned_data["duration_minutes"],
            mode=form.cleaned_data["mode"],
            place=form.cleaned_data["place"],
            link=form.cleaned_data["link"],
            submission=form.cleaned_data["submission"],
            success=_("The meeting is planned; you both get a calendar invitation."),
        )
    return redirect("pair_workspace", pair_id=pair.pk)


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    side = workspace.pair_side(meeting.pair, request.user)
    if request.method == "POST":
        action = request.POST.get("action", "")
        acting: dict[str, Any] = {"meeting": meeting, "actor": request.user}
        if action in meetings_services.MEETING_TEXTS:
            attempt(
                request,
                meetings_services.meeting_write,
                part=action,
                text=request.POST.get("text", ""),
                **acting,
            )
        elif action == "rate":
            submit(request, RatingForm(request.POST), meetings_services.meeting_rate, **acting)
        elif action == "move":
            form = MeetingForm(request.POST, time_zone=request.user.time_zone)  # type: ignore[union-attr]
            if form.is_valid():
                attempt(
                    request,
                    meetings_services.meeting_move,
                    starts_at=form.starts_at(),
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    **acting,
                )
            else:
                messages.error(request, _("Give a valid date and time."))
        elif action == "cancel":
            if run_confirmed(request, meetings_services.meeting_cancel, **acting):
                return redirect("pair_workspace", pair_id=meeting.pair_id)
        else:
            raise Http404
        return redirect("meeting_detail", meeting_id=meeting.pk)
    return render(
        request,
        "relationships/meeting.html",
        {
            "meeting": meeting,
            "pair": meeting.pair,
            "side": side,
            "my_reflection": getattr(meeting, f"{side}_reflection", ""),
            "my_rating": getattr(meeting, f"{side}_rating", None),
            "move_form": MeetingForm(
                time_zone=request.user.time_zone,  # type: ignore[union-attr]
                initial={"duration_minutes": meeting.duration_minutes, "mode": meeting.mode},
            ),
        },
    )


@login_required
def meeting_ics(request: HttpRequest, meeting_id: int) -> HttpResponse:

    meeting = access.access_meeting(request.user, meeting_id)
    response = HttpResponse(
        build(meeting, cancelled=meeting.cancelled_at is not None), content_type="text/calendar"
    )
    response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response


@login_required
@require_POST
def recording_consent(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    submit(
        request,
        RecordingConsentForm(request.POST),
        meetings_services.recording_consent,
        meeting=meeting,
        actor=request.user,
    )
    return redirect("meeting_detail", meeting_id=meeting.pk)


@login_required
@require_POST
def recording_upload(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose the recording file."))
    else:
        attempt(
            request,
            meetings_services.recording_upload,
            meeting=meeting,
            actor=request.user,
            uploaded=uploaded,
        )
    return redirect("meeting_detail", meeting_id=meeting.pk)
