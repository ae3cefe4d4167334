from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.accounts import access as accounts_access
from mentora.accounts.models import User
from mentora.core.confirm import confirmed
from mentora.core.messages import refusal
from mentora.people.models import label_related
from mentora.programmes import access
from mentora.programmes.forms import (
    ApplicationForm,
    InviteForm,
    LineManagerDecisionForm,
    NewProgrammeForm,
    PartnerForm,
    PolicyForm,
    ProgrammeForm,
    QuestionForm,
    ScreeningRecordForm,
    ScreeningScheduleForm,
    TouchpointForm,
    TransitionForm,
)
from mentora.programmes.health import failure_reasons, launch_questions
from mentora.programmes.models import (
    ParticipantRole,
    ParticipantStatus,
    Programme,
    Question,
    Touchpoint,
)
from mentora.programmes.services import design, pipeline, questionnaire, screening

S = ParticipantStatus
# Statuses in which a mentor can be chosen as someone's preferred mentor.
MENTOR_POOL = [S.APPLIED, S.UNDER_REVIEW, S.APPROVED, S.TRAINED, S.READY]


def _me(request: HttpRequest) -> User:
    # @login_required has already turned anonymous visitors away.
    return cast(User, request.user)


def _posted(request: HttpRequest) -> Any:
    # An empty POST is still a submission: a form with no required field may be valid.
    return request.POST if request.method == "POST" else None


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _warn_about_duration(request: HttpRequest, programme: Programme) -> None:
    if programme.duration_warning():
        messages.warning(
            request,
            _(
                "Most programmes last 6 to 18 months; pairs are usually saturated after "
                "10 to 12. Check the dates."
            ),
        )


def _base(request: HttpRequest, programme: Programme, **extra: Any) -> dict[str, Any]:
    return {
        "programme": programme,
        "can_manage": access.can_manage_programme(request.user, programme),
        **extra,
    }


# Manager pages ------------------------------------------------------------------------------


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = (
        access.programmes_for(request.user)
        .select_related("organisation")
        .order_by("-start_date", "name", "pk")
    )
    return render(
        request,
        "programmes/programme_list.html",
        {
            "programmes": programmes,
            "can_create": access.organisations_for_new_programmes(request.user).exists(),
        },
    )


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    organisations = access.organisations_for_new_programmes(request.user).order_by("name")
    if not organisations.exists():
        raise PermissionDenied
    form = NewProgrammeForm(_posted(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        try:
            programme = design.programme_create(
                organisation=form.cleaned_data["organisation"], actor=request.user, **values
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The programme was created."))
            _warn_about_duration(request, programme)
            return redirect("programme_detail", programme.pk)
    return render(request, "programmes/programme_new.html", {"form": form})


@login_required
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id)
    return render(
        request,
        "programmes/programme_detail.html",
        _base(
            request,
            programme,
            touchpoints=programme.touchpoints.all(),
            contributions=programme.contributions.select_related("organisation"),
            touchpoint_form=TouchpointForm(),
            partner_form=PartnerForm(),
            counts=programme.participants.counts_by_status(),
        ),
    )


@login_required
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    form = ProgrammeForm(_posted(request), instance=programme, organisation=programme.organisation)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        sponsors, managers = data.pop("sponsors"), data.pop("managers")
        # The form edited a copy of the instance; the service applies and audits the change.
        fresh = Programme.objects.get(pk=programme.pk)
        try:
            design.programme_update(
                programme=fresh, actor=request.user, sponsors=sponsors, managers=managers, **data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The design was saved."))
            _warn_about_duration(request, fresh)
            return redirect("programme_detail", programme.pk)
    return render(
        request,
        "programmes/programme_edit.html",
        _base(
            request,
            programme,
            form=form,
            policy_form=PolicyForm(policy=programme.matching_policy),
        ),
    )


@login_required
@require_POST
def programme_policy(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    form = PolicyForm(request.POST, policy=programme.matching_policy)
    if form.is_valid():
        try:
            design.programme_set_policy(
                programme=programme, policy=form.to_policy(), actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The matching policy was saved."))
            return redirect("programme_edit", programme.pk)
    return render(
        request,
        "programmes/programme_edit.html",
        _base(
            request,
            programme,
            form=ProgrammeForm(instance=programme, organisation=programme.organisation),
            policy_form=form,
        ),
        status=400,
    )


@login_required
@require_POST
def touchpoint_add(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    form = TouchpointForm(request.POST)
    if form.is_valid():
        questionnaire.touchpoint_add(programme=programme, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The touchpoint was added."))
    else:
        messages.error(request, _("Give the touchpoint a kind and a date."))
    return redirect("programme_detail", programme.pk)


@login_required
@require_POST
def touchpoint_delete(request: HttpRequest, programme_id: int, touchpoint_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    try:
        touchpoint = programme.touchpoints.get(pk=touchpoint_id)
    except Touchpoint.DoesNotExist:
        raise Http404 from None
    if not confirmed(request):
        return redirect("programme_detail", programme.pk)
    questionnaire.touchpoint_delete(touchpoint=touchpoint, actor=request.user)
    messages.success(request, _("The touchpoint was removed."))
    return redirect("programme_detail", programme.pk)


@login_required
@require_POST
def programme_organisation_add(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    form = PartnerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the organisation's short name."))
        return redirect("programme_detail", programme.pk)
    data = form.cleaned_data
    partner = access.partner_organisation_by_slug(request.user, programme, data["slug"])
    if partner is None or partner.pk == programme.organisation_id:
        messages.error(request, _("No other organisation has that short name."))
        return redirect("programme_detail", programme.pk)
    contributions = [
        (c.organisation, c.contributes_mentors, c.contributes_mentees)
        for c in programme.contributions.select_related("organisation")
        if c.organisation_id != partner.pk
    ]
    contributions.append((partner, data["contributes_mentors"], data["contributes_mentees"]))
    try:
        design.programme_set_organisations(
            programme=programme, contributions=contributions, actor=request.user
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("The organisation takes part in the programme."))
    return redirect("programme_detail", programme.pk)


@login_required
@require_POST
def programme_organisation_remove(
    request: HttpRequest, programme_id: int, contribution_id: int
) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    contributions = list(programme.contributions.select_related("organisation"))
    if contribution_id not in {c.pk for c in contributions}:
        raise Http404
    if not confirmed(request):
        return redirect("programme_detail", programme.pk)
    design.programme_set_organisations(
        programme=programme,
        contributions=[
            (c.organisation, c.contributes_mentors, c.contributes_mentees)
            for c in contributions
            if c.pk != contribution_id
        ],
        actor=request.user,
    )
    messages.success(request, _("The organisation no longer takes part in the programme."))
    return redirect("programme_detail", programme.pk)


@login_required
@require_POST
def programme_copy(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    copy = design.programme_copy(programme=programme, actor=request.user)
    messages.success(request, _("The programme was copied for the next cohort."))
    return redirect("programme_edit", copy.pk)


@login_required
def programme_health(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id)
    return render(
        request,
        "programmes/programme_health.html",
        _base(
            request,
            programme,
            reasons=failure_reasons(programme),
            questions=launch_questions(programme),
        ),
    )


@login_required
def programme_pipeline(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id)
    can_manage = access.can_manage_programme(request.user, programme)
    counts = programme.participants.counts_by_status()
    status = request.GET.get("status", "")
    role = request.GET.get("role", "")
    query = request.GET.get("q", "").strip()
    page = None
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
        page = Paginator(participants, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/programme_pipeline.html",
        _base(
            request,
            programme,
            columns=[(value, label, counts.get(value, 0)) for value, label in S.choices],
            total=sum(counts.values()),
            page=page,
            status=status,
            role=role,
            q=query,
            statuses=S.choices,
            roles=ParticipantRole.choices,
            invite_form=InviteForm() if can_manage else None,
        ),
    )


@login_required
@require_POST
def participant_invite(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    form = InviteForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("Check the invitation form.")]:
            messages.error(request, str(error))
        return redirect("programme_pipeline", programme.pk)
    identifiers = form.cleaned_data["people"].splitlines()
    upload = form.cleaned_data.get("csv_file")
    if upload:
        text = upload.read().decode("utf-8-sig", errors="replace")
        try:
            identifiers += pipeline.identifiers_from_csv(text)
        except ValidationError as error:
            refusal(request, error)
            return redirect("programme_pipeline", programme.pk)
    outcome = pipeline.participants_invite_many(
        programme=programme,
        identifiers=identifiers,
        role=form.cleaned_data["role"],
        actor=request.user,
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
    return render(
        request,
        "programmes/participant_detail.html",
        _base(
            request,
            programme,
            participant=participant,
            answers=answers,
            events=participant.events.select_related("actor"),
            sees_sensitive=accounts_access.can_see_sensitive_attributes(
                request.user, participant.person.organisation
            ),
            transition_form=TransitionForm(allowed=pipeline.allowed_transitions(participant))
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
        ),
    )


@login_required
@require_POST
def participant_transition(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = access.access_participant(request.user, participant_id, write=True)
    form = TransitionForm(request.POST, allowed=S.values)
    if form.is_valid():
        try:
            pipeline.participant_transition(
                participant=participant, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("The status was changed."))
    else:
        messages.error(request, _("Choose a new status."))
    return redirect("participant_detail", participant.programme_id, participant.pk)


@login_required
@require_POST
def screening_schedule(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = access.access_participant(request.user, participant_id, write=True)
    form = ScreeningScheduleForm(request.POST)
    if form.is_valid():
        try:
            screening.screening_schedule(
                participant=participant, at=form.cleaned_data["at"], actor=request.user
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("The interview was booked."))
    else:
        messages.error(request, _("Give the date and time of the interview."))
    return redirect("participant_detail", participant.programme_id, participant.pk)


@login_required
@require_POST
def screening_record(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant = access.access_participant(request.user, participant_id, write=True)
    form = ScreeningRecordForm(request.POST)
    if form.is_valid():
        try:
            screening.screening_record(
                participant=participant,
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"],
                actor=request.user,
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("The interview was recorded."))
    return redirect("participant_detail", participant.programme_id, participant.pk)


@login_required
def programme_questionnaire(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=request.method == "POST")
    if not access.can_manage_programme(request.user, programme):
        # The questions reveal nothing personal, but the builder is the managers' tool.
        raise PermissionDenied
    form = QuestionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            questionnaire.question_add(
                programme=programme,
                actor=request.user,
                role=data["role"],
                text=data["text"],
                kind=data["kind"],
                choices=data["choices"].splitlines(),
                maps_to=data["maps_to"],
                required=data["required"],
            )
        except ValidationError as error:
            form.add_error("choices", error)
        else:
            messages.success(request, _("The question was added."))
            return redirect("programme_questionnaire", programme.pk)
    return render(
        request,
        "programmes/programme_questionnaire.html",
        _base(
            request,
            programme,
            form=form,
            questions=programme.questions.all(),
            application_url=request.build_absolute_uri(
                reverse("programme_apply_link", args=[programme.application_token])
            ),
        ),
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, programme_id: int, question_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    try:
        question = programme.questions.get(pk=question_id)
    except Question.DoesNotExist:
        raise Http404 from None
    if not confirmed(request):
        return redirect("programme_questionnaire", programme.pk)
    questionnaire.question_delete(question=question, actor=request.user)
    messages.success(request, _("The question was removed."))
    return redirect("programme_questionnaire", programme.pk)


# Participant pages --------------------------------------------------------------------------


def _application_form(request: HttpRequest, programme: Programme, role: str) -> ApplicationForm:
    questions = list(programme.questions.filter(role=role))
    mentors = list(
        programme.participants.filter(role=ParticipantRole.MENTOR, status__in=MENTOR_POOL)
        .exclude(user=_me(request))
        .select_related(*label_related("person"))
    )
    return ApplicationForm(_posted(request), questions=questions, mentors=mentors)


@login_required
def participant_apply(request: HttpRequest, participant_id: int) -> HttpResponse:
    """The application form for someone who was invited."""
    participant = access.access_own_participation(request.user, participant_id)
    programme = participant.programme
    if participant.status != S.INVITED:
        messages.info(request, _("You have already applied to this programme."))
        return redirect("my_programmes")
    form = _application_form(request, programme, participant.role)
    if request.method == "POST" and form.is_valid():
        try:
            pipeline.participant_apply(
                programme=programme,
                person=participant.person,
                role=participant.role,
                answers=form.answers(),
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: your application was sent."))
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
    if not confirmed(request):
        return redirect("my_programmes")
    try:
        pipeline.participant_transition(
            participant=participant, to_status=S.WITHDRAWN, actor=request.user
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("You have left the programme."))
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
    if request.method == "POST" and form.is_valid():
        try:
            pipeline.participant_apply(
                programme=programme,
                person=person,
                role=role,
                answers=form.answers(),
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: your application was sent."))
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


@login_required
def my_programmes(request: HttpRequest) -> HttpResponse:
    participations = (
        access.participations_of(request.user)
        .select_related("programme__organisation")
        .order_by("-created_at")
    )
    rows = []
    for participation in participations:
        # Events sit a layer above; they are read through the reverse relation.
        events = [
            e for e in participation.programme.events.all() if e.is_required_for(participation.role)
        ]
        can_withdraw = S.WITHDRAWN in pipeline.TRANSITIONS[participation.status]
        rows.append((participation, events, can_withdraw))
    return render(request, "programmes/my_programmes.html", {"rows": rows})


@login_required
def line_manager_approvals(request: HttpRequest) -> HttpResponse:
    participations = (
        access.line_manager_participations(request.user)
        .filter(role=ParticipantRole.MENTEE)
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
    form = LineManagerDecisionForm(request.POST)
    if form.is_valid():
        try:
            pipeline.line_manager_decide(
                participant=participant,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("Thank you: your decision was recorded."))
    else:
        messages.error(request, _("Choose approve or decline."))
    return redirect("line_manager_approvals")
