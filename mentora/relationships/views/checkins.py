"""'Did you meet?' (in the pair space and through the e-mailed signed link), pauses, and a
pair's timeline of facts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mentora.core.messages import attempt, run_on_form, submit, valid
from mentora.relationships import access
from mentora.relationships.forms import CheckInForm, PauseForm
from mentora.relationships.services import checkins, pauses
from mentora.relationships.timeline import pair_timeline as timeline_of

THANKS = {
    "met": gettext_lazy("Thank you: your meeting is recorded as held."),
    "moved": gettext_lazy(
        "Thank you: the meeting is moved, and you both get an updated invitation."
    ),
    "not_held": gettext_lazy(
        "Thank you: the meeting is recorded as not held. Plan a new one when you can."
    ),
}


def checkin_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page of the e-mailed link: the three answers and nothing about the pair. A GET
    only shows it (mail scanners follow links); the answer is posted."""
    link = access.access_checkin_link(token)
    form = None
    done = ""
    if link.state == "open" and link.meeting is not None and link.participant is not None:
        time_zone = link.participant.user.time_zone if link.participant.user else "UTC"
        form = CheckInForm(request.POST or None, time_zone=time_zone)
        if request.method == "POST" and form.is_valid():
            recorded = run_on_form(
                form,
                checkins.checkin_record,
                meeting=link.meeting,
                participant=link.participant,
                **form.arguments(),
            )
            if recorded is not None:
                done = str(THANKS[recorded.answer])
                form = None
    # A link that can no longer be answered records nothing, whatever is posted: the page
    # says why.
    return render(
        request,
        "relationships/checkin.html",
        {"state": link.state, "form": form, "done": done, "token": token},
    )


@login_required
@require_POST
def meeting_checkin(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The same answer, given in the pair space."""
    meeting = access.access_meeting(request.user, meeting_id)
    member = checkins.participant_of(meeting, request.user)
    if member is None:
        raise Http404
    form = CheckInForm(request.POST, time_zone=request.user.time_zone)  # type: ignore[union-attr]
    if valid(request, form):
        attempt(
            request,
            checkins.checkin_record,
            meeting=meeting,
            participant=member,
            **form.arguments(),
            success=lambda recorded: str(THANKS[recorded.answer]),
        )
    return redirect("pair_workspace", pair_id=meeting.pair_id)


@login_required
@require_POST
def pause_start(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    submit(
        request,
        PauseForm(request.POST),
        pauses.pause_start,
        pair=pair,
        actor=request.user,
        success=_("The pair is paused; your partner and the programme team can see until when."),
    )
    return redirect("pair_workspace", pair_id=pair.pk)


@login_required
@require_POST
def pause_end(request: HttpRequest, pause_id: int) -> HttpResponse:
    pause = access.access_pause(request.user, pause_id)
    attempt(
        request,
        pauses.pause_end,
        pause=pause,
        actor=request.user,
        success=_("Welcome back: the pause has ended."),
    )
    return redirect("pair_workspace", pair_id=pause.pair_id)


@login_required
def pair_timeline(request: HttpRequest, pair_id: int) -> HttpResponse:
    """What happened in a pair, as facts: for its two members and the programme team."""
    pair = access.access_pair(request.user, pair_id)
    return render(
        request,
        "relationships/timeline.html",
        {"pair": pair, "events": timeline_of(pair)},
    )
