from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, Q, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.accounts.models import User
from mentora.core.confirm import run_confirmed
from mentora.core.messages import run_on_form, submit
from mentora.core.ordering import MoveForm
from mentora.core.tables import Column, sort_table
from mentora.programmes import access as programme_access
from mentora.programmes.models import Programme
from mentora.relationships.models import SupportSettings
from mentora.surveys import access, own_questions, services
from mentora.surveys.disclosure import groups_asked, response_pattern
from mentora.surveys.forms import (
    AnswerForm,
    CustomQuestionForm,
    InstrumentUploadForm,
    ScheduleForm,
)
from mentora.surveys.models import (
    Audience,
    Instrument,
    InstrumentSource,
    Invitation,
    Question,
    Survey,
    Wave,
)


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _language() -> str:
    return (get_language() or "en")[:2]


def _counts(surveys: list[Survey]) -> dict[int, list[dict[str, Any]]]:
    """Invited and answered per group of each survey: counts only, never who.

    One query for all the surveys. Answered counts pass the same disclosure control as the
    report (groups with invitees, one suppression pattern), so that no page gives away a
    count the report hides.
    """
    rows = (
        Invitation.objects.filter(survey__in=surveys)
        .values("survey_id", "role")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    )
    by_survey: dict[int, dict[str, dict[str, int]]] = {}
    for row in rows:
        by_survey.setdefault(row["survey_id"], {})[row["role"]] = row
    result = {}
    for survey in surveys:
        by_role = by_survey.get(survey.pk, {})
        invited = {role: row["invited"] for role, row in by_role.items()}
        groups = groups_asked(survey.roles, invited)
        answered = {role: by_role[role]["answered"] for role in groups}
        pattern = response_pattern(groups, invited, answered)
        result[survey.pk] = [
            {
                "role": Audience(role).label,
                "invited": invited[role],
                "answered": pattern.value(role),
            }
            for role in groups
        ]
    return result


SURVEY_COLUMNS = [
    Column("wave", gettext_lazy("Wave"), order=("wave_rank", "opens_at")),
    Column("instrument", gettext_lazy("Instrument"), order=("instrument__name", "opens_at")),
    Column("opens", gettext_lazy("Answering period"), order=("opens_at", "closes_at")),
]


@login_required
def survey_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id)
    surveys_in_order = programme.surveys.select_related("instrument").annotate(
        wave_rank=Case(
            *(When(wave=wave, then=rank) for rank, wave in enumerate(Wave.values)),
            output_field=IntegerField(),
        )
    )
    table = sort_table(request, surveys_in_order, SURVEY_COLUMNS, default="opens")
    surveys = list(table.rows)
    counts = _counts(surveys)
    return render(
        request,
        "surveys/survey_list.html",
        {
            "programme": programme,
            "can_manage": programme_access.can_manage_programme(request.user, programme),
            "table": table,
            "rows": [(survey, counts[survey.pk]) for survey in surveys],
        },
    )


@login_required
def survey_schedule(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    instruments = services.instruments_for(programme)
    initial: dict[str, Any] = {}
    wave = request.GET.get("wave", "")
    window = services.suggested_window(programme, wave) if wave in Wave.values else None
    if window is not None:
        # Prefilled from the programme's phases; the manager may still change anything.
        opens, closes = (timezone.localtime(moment) for moment in window)
        initial = {
            "wave": wave,
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
            "instrument": instruments.filter(source="builtin", wave=wave).first(),
        }
    # The programme's own interval between reminders, unless the manager sets another.
    initial["reminder_days"] = SupportSettings.of(programme).survey_reminder_days
    form = ScheduleForm(request.POST or None, instruments=instruments, initial=initial)
    if request.method == "POST" and form.is_valid():
        survey = run_on_form(
            form,
            services.survey_schedule,
            programme=programme,
            actor=_me(request),
            **form.cleaned_data,
        )
        if survey is not None:
            messages.success(
                request,
                _("The survey is scheduled for %(count)s people.")
                % {"count": survey.invitations.count()},
            )
            return redirect("survey_detail", survey.pk)
    return render(
        request,
        "surveys/survey_schedule.html",
        {"programme": programme, "form": form, "can_manage": True, "waves": Wave.choices[:3]},
    )


@login_required
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = access.access_survey(request.user, survey_id)
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "programme": survey.programme,
            "counts": _counts([survey])[survey.pk],
            "questions": list(survey.instrument.questions.all()),
            "can_manage": programme_access.can_manage_programme(request.user, survey.programme),
            "is_open": survey.is_open(),
        },
    )


@login_required
@require_POST
def survey_close(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = access.access_survey(request.user, survey_id, write=True)
    run_confirmed(
        request,
        services.survey_close,
        survey=survey,
        actor=request.user,
        success=_("The survey is closed and its results are published."),
    )
    return redirect("survey_detail", survey_id=survey.pk)


@login_required
def survey_questions(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    form = CustomQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_on_form(
            form,
            services.custom_question_add,
            programme=programme,
            actor=_me(request),
            **form.question(),
        ):
            messages.success(request, _("The question is added."))
            return redirect("survey_questions", programme.pk)
    own = Instrument.objects.filter(programme=programme).first()
    questions = list(own.questions.all()) if own else []
    return render(
        request,
        "surveys/survey_questions.html",
        {
            "programme": programme,
            "form": form,
            "questions": [
                (question, n == 0, n == len(questions) - 1) for n, question in enumerate(questions)
            ],
            "can_manage": True,
        },
    )


def _own_question(programme: Programme, question_id: int) -> Question:
    """One of the programme's own questions: 404 for any other question."""
    return get_object_or_404(
        Question.objects.select_related("instrument"),
        pk=question_id,
        instrument__programme=programme,
        instrument__source=InstrumentSource.PROGRAMME,
    )


@login_required
def survey_question_edit(request: HttpRequest, programme_id: int, question_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    question = _own_question(programme, question_id)
    form = CustomQuestionForm(
        request.POST or None,
        initial={
            "kind": question.kind,
            "text_en": question.text_en,
            "text_da": question.text_da,
            "audience": question.audience,
            "choices": "\n".join(
                f"{c.get('en', '')} | {c.get('da', '')}" for c in question.choices
            ),
        },
    )
    if request.method == "POST" and form.is_valid():
        changes = run_on_form(
            form,
            own_questions.custom_question_edit,
            question=question,
            actor=_me(request),
            **form.question(),
        )
        if changes is not None:
            messages.success(
                request, _("The question is changed.") if changes else _("Nothing was changed.")
            )
            return redirect("survey_questions", programme.pk)
    return render(
        request,
        "surveys/survey_question_edit.html",
        {"programme": programme, "form": form, "question": question, "can_manage": True},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def survey_question_move(request: HttpRequest, programme_id: int, question_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    question = _own_question(programme, question_id)
    submit(
        request,
        MoveForm(request.POST),
        own_questions.custom_question_move,
        question=question,
        actor=_me(request),
        success=_("The question is moved."),
    )
    page = reverse("survey_questions", args=[programme.pk])
    return redirect(f"{page}#question-{question.pk}")


@login_required
def instrument_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation_instruments(request.user, slug)
    form = InstrumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        instrument = run_on_form(
            form,
            services.instrument_import,
            organisation=organisation,
            data=form.instrument_data(),
            actor=_me(request),
        )
        if instrument is not None:
            messages.success(request, _("Loaded %(name)s.") % {"name": instrument.name})
            return redirect("instrument_list", organisation.slug)
    return render(
        request,
        "surveys/instrument_list.html",
        {
            "organisation": organisation,
            "form": form,
            "instruments": Instrument.objects.available_to(organisation).prefetch_related(
                "questions"
            ),
        },
    )


@login_required
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = access.access_invitation_by_token(request.user, token)
    survey = invitation.survey
    if invitation.answered_at is not None:
        messages.info(request, _("You have already answered this survey. Thank you."))
        return redirect("my_answers", invitation.pk)
    if not survey.is_open():
        return render(request, "surveys/survey_closed.html", {"survey": survey}, status=410)
    language = _language()
    questions = survey.instrument.questions_for(invitation.role)
    form = AnswerForm(request.POST or None, questions=questions, language=language)
    if request.method == "POST" and form.is_valid():
        if run_on_form(
            form,
            services.response_submit,
            invitation=invitation,
            answers=form.answers(),
            actor=_me(request),
            language=language,
        ):
            messages.success(request, _("Thank you for your answers."))
            return redirect("my_answers", invitation.pk)
    return render(
        request,
        "surveys/survey_answer.html",
        {"survey": survey, "programme": survey.programme, "form": form},
    )


@login_required
def my_surveys(request: HttpRequest) -> HttpResponse:
    invitations = Invitation.objects.filter(user=_me(request)).select_related("survey__programme")
    return render(request, "surveys/my_surveys.html", {"invitations": invitations})


@login_required
def my_answers(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = access.access_own_invitation(request.user, invitation_id)
    response = services.response_of(invitation)
    language = _language()
    answers = []
    if response is not None:
        by_question = {a.question_id: a for a in response.answers.all()}
        for question in invitation.survey.instrument.questions_for(invitation.role):
            answer = by_question.get(question.pk)
            answers.append((question.text(language), answer.display(language) if answer else ""))
    return render(
        request,
        "surveys/my_answers.html",
        {"invitation": invitation, "survey": invitation.survey, "answers": answers},
    )
