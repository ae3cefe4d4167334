from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.confirm import confirmed
from mentora.core.messages import refusal
from mentora.core.submissions import AlreadySubmitted, already_sent
from mentora.people.models import label_related
from mentora.programmes import access as programme_access
from mentora.relationships import access
from mentora.relationships.forms import (
    AgreementForm,
    ClosureForm,
    ExpertActivityForm,
    ExpertConnectForm,
    FeedbackForm,
    FeedbackMomentForm,
    FollowUpForm,
    GoalForm,
    MeetingForm,
    MeetingScheduleForm,
    ProgressForm,
    RatingForm,
    RecordingConsentForm,
    StoryForm,
    SupportSettingsForm,
    ToolForm,
)
from mentora.relationships.models import (
    Feedback,
    FeedbackDirection,
    FollowUp,
)
from mentora.relationships.services import closure as closure_services
from mentora.relationships.services import experts as experts_services
from mentora.relationships.services import feedback, support, workspace
from mentora.relationships.services import meetings as meetings_services


@login_required
def pair_workspace(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    side = workspace.pair_side(pair, request.user)
    agreement = pair.agreements.order_by("-version").first()
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
            "past": meetings.filter(starts_at__lt=now).order_by("-starts_at"),
            "goals": pair.goals.all(),
            "tools": _tools(pair, request),
            "feedback": feedback.feedback_visible_to(request.user, pair).select_related("moment"),
            "directions": [
                (value, label)
                for value, label in FeedbackDirection.choices
                if feedback.AUTHOR_OF[value] == side
            ],
            "moments": pair.programme.feedback_moments.filter(opens_on__lte=timezone.localdate()),
        },
    )


def _tools(pair: Any, request: HttpRequest) -> list[tuple[Any, str, str]]:
    from mentora.relationships.health import pair_health
    from mentora.relationships.toolbox import phase_of, tools_for

    language = getattr(request, "LANGUAGE_CODE", "en")
    phase = phase_of(pair_health(pair).elapsed)
    return [(t, t.title(language), t.body(language)) for t in tools_for(pair.programme, phase)]


@login_required
@require_POST
def feedback_give(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_pair_for_feedback(request.user, pair_id)
    form = FeedbackForm(request.POST, pair=pair)
    if not form.is_valid():
        refusal(request, form)
    else:
        try:
            feedback.feedback_give(pair=pair, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted:
            already_sent(request)
        except ValidationError as error:
            refusal(request, error)
        else:
            messages.success(request, _("Thank you for your feedback."))
    if workspace.pair_side(pair, request.user):
        return redirect("pair_workspace", pair_id=pair.pk)
    return redirect("team_goals")


@login_required
@require_POST
def agreement_save(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    form = AgreementForm(request.POST)
    if not form.is_valid():
        refusal(request, form)
        return redirect("pair_workspace", pair_id=pair.pk)
    try:
        workspace.agreement_save(pair=pair, actor=request.user, **form.cleaned_data)
    except AlreadySubmitted:
        already_sent(request)
    except ValidationError as error:
        refusal(request, error)
    else:
        messages.success(request, _("The agreement is saved. Both of you sign it."))
    return redirect("pair_workspace", pair_id=pair.pk)


@login_required
@require_POST
def agreement_sign(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    agreement = pair.agreements.order_by("-version").first()
    if agreement is None:
        raise Http404
    try:
        workspace.agreement_sign(agreement=agreement, actor=request.user)
    except ValidationError as error:
        refusal(request, error)
    return redirect("pair_workspace", pair_id=pair.pk)


@login_required
@require_POST
def meeting_schedule(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    form = MeetingScheduleForm(request.POST, time_zone=request.user.time_zone)  # type: ignore[union-attr]
    if not form.is_valid():
        refusal(request, form)
        return redirect("pair_workspace", pair_id=pair.pk)
    try:
        meetings_services.meeting_schedule(
            pair=pair,
            actor=request.user,
            starts_at=form.starts_at(),
            duration_minutes=form.cleaned_data["duration_minutes"],
            mode=form.cleaned_data["mode"],
            place=form.cleaned_data["place"],
            link=form.cleaned_data["link"],
            submission=form.cleaned_data["submission"],
        )
    except AlreadySubmitted:
        already_sent(request)
    except ValidationError as error:
        refusal(request, error)
    else:
        messages.success(request, _("The meeting is planned; you both get a calendar invitation."))
    return redirect("pair_workspace", pair_id=pair.pk)


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    side = workspace.pair_side(meeting.pair, request.user)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in meetings_services.MEETING_TEXTS:
                meetings_services.meeting_write(
                    meeting=meeting,
                    actor=request.user,
                    part=action,
                    text=request.POST.get("text", ""),
                )
            elif action == "rate":
                rating = RatingForm(request.POST)
                if rating.is_valid():
                    meetings_services.meeting_rate(
                        meeting=meeting, actor=request.user, **rating.cleaned_data
                    )
                else:
                    refusal(request, rating)
            elif action == "move":
                form = MeetingForm(request.POST, time_zone=request.user.time_zone)  # type: ignore[union-attr]
                if form.is_valid():
                    meetings_services.meeting_move(
                        meeting=meeting,
                        actor=request.user,
                        starts_at=form.starts_at(),
                        duration_minutes=form.cleaned_data["duration_minutes"],
                    )
                else:
                    messages.error(request, _("Give a valid date and time."))
            elif action == "cancel":
                if not confirmed(request):
                    return redirect("meeting_detail", meeting_id=meeting.pk)
                meetings_services.meeting_cancel(meeting=meeting, actor=request.user)
                return redirect("pair_workspace", pair_id=meeting.pair_id)
            else:
                raise Http404
        except ValidationError as error:
            refusal(request, error)
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
    from mentora.relationships.calendar import meeting_ics as build

    meeting = access.access_meeting(request.user, meeting_id)
    response = HttpResponse(
        build(meeting, cancelled=meeting.cancelled_at is not None), content_type="text/calendar"
    )
    response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response


@login_required
@require_POST
def goal_add(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    form = GoalForm(request.POST)
    if not form.is_valid():
        refusal(request, form)
        return redirect("pair_workspace", pair_id=pair.pk)
    try:
        workspace.goal_add(pair=pair, actor=request.user, **form.cleaned_data)
    except AlreadySubmitted:
        already_sent(request)
    except ValidationError as error:
        refusal(request, error)
    return redirect("pair_workspace", pair_id=pair.pk)


@login_required
@require_POST
def goal_update(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = access.access_goal(request.user, goal_id)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        refusal(request, form)
        return redirect("pair_workspace", pair_id=goal.pair_id)
    try:
        workspace.goal_update(goal=goal, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        refusal(request, error)
    return redirect("pair_workspace", pair_id=goal.pair_id)


@login_required
def team_goals(request: HttpRequest) -> HttpResponse:
    """For line managers: the learning themes and progress of their reports' pairs."""
    pairs = (
        access.line_manager_pairs(request.user)
        .select_related("programme", *label_related("mentee__person"))
        .prefetch_related("goals")
    )
    return render(request, "relationships/team_goals.html", {"pairs": pairs})


@login_required
def pair_health(request: HttpRequest, programme_id: int) -> HttpResponse:
    from mentora.relationships.health import programme_health as compute
    from mentora.relationships.models import Pair, SupportSettings

    programme = programme_access.access_programme(request.user, programme_id, write=True)
    report = compute(programme)
    without_follow_up = (
        Pair.objects.active().filter(programme=programme, follow_ups__isnull=True).count()
    )
    settings_row = SupportSettings.objects.filter(programme=programme).first()
    return render(
        request,
        "relationships/health.html",
        {
            "programme": programme,
            "report": report,
            "at_risk": sum(1 for h in report if h.at_risk),
            "without_follow_up": without_follow_up,
            "nudge_after_days": settings_row.nudge_after_days if settings_row else 30,
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
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        refusal(request, form)
    else:
        try:
            support.follow_up_record(pair=pair, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted:
            already_sent(request)
        else:
            messages.success(request, _("The check-in is recorded."))
    return redirect("pair_health", programme_id=pair.programme_id)


@login_required
@require_POST
def pair_nudge(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_pair_as_manager(request.user, pair_id)
    support.pair_nudge(pair=pair, actor=request.user)
    messages.success(request, _("A friendly nudge is on its way to both."))
    return redirect("pair_health", programme_id=pair.programme_id)


@login_required
@require_POST
def support_settings(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    form = SupportSettingsForm(request.POST)
    if not form.is_valid():
        refusal(request, form)
        return redirect("pair_health", programme_id=programme.pk)
    try:
        support.support_settings_update(
            programme=programme, actor=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        refusal(request, error)
    return redirect("pair_health", programme_id=programme.pk)


@login_required
def pair_close(request: HttpRequest, pair_id: int) -> HttpResponse:
    from mentora.relationships.models import Closure, Continuation

    pair = access.access_workspace(request.user, pair_id)
    side = workspace.pair_side(pair, request.user)
    closure = Closure.objects.filter(pair=pair).first()
    if request.method == "POST":
        form = ClosureForm(request.POST)
        if not form.is_valid():
            refusal(request, form)
            return redirect("pair_close", pair_id=pair.pk)
        if not confirmed(request):
            return redirect("pair_close", pair_id=pair.pk)
        try:
            closure_services.closure_submit(pair=pair, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted:
            already_sent(request)
        except ValidationError as error:
            refusal(request, error)
        else:
            messages.success(request, _("Thank you. Your part of the closing is saved."))
        return redirect("pair_close", pair_id=pair.pk)
    other_side = "mentor" if side == "mentee" else "mentee"
    return render(
        request,
        "relationships/close.html",
        {
            "pair": pair,
            "side": side,
            "closure": closure,
            "continuations": Continuation.choices,
            "mine_done": bool(closure and getattr(closure, f"{side}_done_at")),
            "refusals": pair.closure_refusals() if pair.is_active else [],
            "thanks_to_me": getattr(closure, f"{other_side}_thanks", "") if closure else "",
            "my_reflection": getattr(closure, f"{side}_reflection", "") if closure else "",
        },
    )


@login_required
def certificate(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    side = workspace.pair_side(pair, request.user)
    closure = getattr(pair, "closure", None)
    if side is None or closure is None or not closure.is_complete:
        raise Http404
    response = HttpResponse(
        closure_services.certificate_pdf(pair=pair, side=side), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'attachment; filename="mentora-certificate.pdf"'
    return response


@login_required
@require_POST
def story_submit(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    form = StoryForm(request.POST)
    if not form.is_valid():
        refusal(request, form)
        return redirect("pair_close", pair_id=pair.pk)
    try:
        closure_services.story_submit(pair=pair, actor=request.user, **form.cleaned_data)
    except AlreadySubmitted:
        already_sent(request)
    except ValidationError as error:
        refusal(request, error)
    else:
        messages.success(request, _("Thank you. The programme manager reads your story first."))
    return redirect("pair_close", pair_id=pair.pk)


@login_required
def programme_stories(request: HttpRequest, programme_id: int) -> HttpResponse:
    from mentora.relationships.models import Story

    programme = access.access_programme_stories(request.user, programme_id)
    manages = programme_access.can_manage_programme(request.user, programme)
    stories = Story.objects.filter(pair__programme=programme).select_related("author")
    return render(
        request,
        "relationships/stories.html",
        {
            "programme": programme,
            "published": stories.filter(status="approved"),
            # Waiting stories are for the team to decide on, except about their own pairs.
            "pending": (
                stories.filter(status="pending").not_about_pairs_of(request.user) if manages else []
            ),
        },
    )


@login_required
@require_POST
def story_decide(request: HttpRequest, story_id: int) -> HttpResponse:
    story = access.access_story(request.user, story_id)
    if not confirmed(request):
        return redirect("programme_stories", programme_id=story.pair.programme_id)
    closure_services.story_decide(
        story=story, actor=request.user, approve=request.POST.get("decision") == "approve"
    )
    return redirect("programme_stories", programme_id=story.pair.programme_id)


@login_required
def programme_toolbox(request: HttpRequest, programme_id: int) -> HttpResponse:
    from mentora.relationships.models import Tool, ToolKind, ToolPhase
    from mentora.relationships.toolbox import tools_for

    programme = programme_access.access_programme(request.user, programme_id, write=True)
    if request.method == "POST":
        form = ToolForm(request.POST)
        if not form.is_valid():
            refusal(request, form)
            return redirect("programme_toolbox", programme_id=programme.pk)
        try:
            feedback.tool_save(programme=programme, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            refusal(request, error)
        else:
            messages.success(request, _("The tool is saved."))
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
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    form = FeedbackMomentForm(request.POST)
    if not form.is_valid():
        refusal(request, form)
        return redirect("pair_health", programme_id=programme.pk)
    try:
        feedback.feedback_moment_add(programme=programme, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        refusal(request, error)
    return redirect("pair_health", programme_id=programme.pk)


@login_required
@require_POST
def recording_consent(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    form = RecordingConsentForm(request.POST)
    if not form.is_valid():
        refusal(request, form)
        return redirect("meeting_detail", meeting_id=meeting.pk)
    try:
        meetings_services.recording_consent(
            meeting=meeting, actor=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        refusal(request, error)
    return redirect("meeting_detail", meeting_id=meeting.pk)


@login_required
@require_POST
def recording_upload(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose the recording file."))
    else:
        try:
            meetings_services.recording_upload(
                meeting=meeting, actor=request.user, uploaded=uploaded
            )
        except ValidationError as error:
            refusal(request, error)
    return redirect("meeting_detail", meeting_id=meeting.pk)


# Expert networks ----------------------------------------------------------------------------


@login_required
def expert_network(request: HttpRequest, programme_id: int) -> HttpResponse:
    from mentora.programmes.models import Participant, ParticipantRole, ProgrammeKind
    from mentora.relationships.models import ExpertConnection

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
    try:
        experts_services.expert_connect(
            programme=programme, actor=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        refusal(request, error)
    else:
        messages.success(request, _("Connected. Both have been told by e-mail."))
    return redirect("expert_network", programme_id=programme.pk)


@login_required
def my_experts(request: HttpRequest) -> HttpResponse:
    from mentora.relationships.models import ExpertActivityKind

    connections = access.expert_connections_of(request.user).prefetch_related("activities")
    return render(
        request,
        "relationships/my_experts.html",
        {
            "as_learner": [c for c in connections if c.learner.user_id == request.user.pk],
            "as_expert": [c for c in connections if c.expert.user_id == request.user.pk],
            "kinds": ExpertActivityKind.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def expert_activity(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = access.access_expert_connection(request.user, connection_id)
    form = ExpertActivityForm(request.POST)
    if not form.is_valid():
        refusal(request, form)
    else:
        try:
            experts_services.expert_activity_record(
                connection=connection, actor=request.user, **form.cleaned_data
            )
        except AlreadySubmitted:
            already_sent(request)
        except ValidationError as error:
            refusal(request, error)
        else:
            messages.success(request, _("Activity recorded."))
    # The two of them go back to their own page; a manager to the programme's overview.
    if request.user.pk in connection.member_user_ids():
        return redirect("my_experts")
    return redirect("expert_network", programme_id=connection.programme_id)


@login_required
@require_POST
def expert_close(request: HttpRequest, connection_id: int) -> HttpResponse:
    connection = access.access_expert_connection(request.user, connection_id)
    if confirmed(request):
        try:
            experts_services.expert_disconnect(connection=connection, actor=request.user)
        except ValidationError as error:
            refusal(request, error)
        else:
            messages.success(request, _("The connection is closed; its activity is kept."))
    if request.user.pk in connection.member_user_ids():
        return redirect("my_experts")
    return redirect("expert_network", programme_id=connection.programme_id)
