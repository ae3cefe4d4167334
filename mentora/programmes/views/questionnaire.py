"""Planned touchpoints and the questionnaire builder."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.messages import run_on_form, submit
from mentora.core.ordering import MoveForm
from mentora.programmes import access
from mentora.programmes.forms import QuestionForm, TouchpointForm
from mentora.programmes.models import Question
from mentora.programmes.services import questionnaire as questionnaire_services
from mentora.programmes.views.common import _page, _posted, _remove_part


@login_required
@require_POST
def touchpoint_add(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    form = TouchpointForm(request.POST)
    if form.is_valid():
        questionnaire_services.touchpoint_add(
            programme=programme, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("The touchpoint was added."))
    else:
        messages.error(request, _("Give the touchpoint a kind and a date."))
    return redirect("programme_detail", programme.pk)


@login_required
@require_POST
def touchpoint_delete(request: HttpRequest, programme_id: int, touchpoint_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    touchpoint = get_object_or_404(programme.touchpoints, pk=touchpoint_id)
    return _remove_part(
        request,
        programme.pk,
        "programme_detail",
        questionnaire_services.touchpoint_delete,
        touchpoint=touchpoint,
        success=_("The touchpoint was removed."),
    )


@login_required
def programme_questionnaire(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=request.method == "POST")
    if not access.can_manage_programme(request.user, programme):
        # The questions reveal nothing personal, but the builder is the managers' tool.
        raise PermissionDenied
    form = QuestionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire_services.question_add(
                programme=programme,
                actor=request.user,
                **_question_arguments(form.cleaned_data),
            )
        except ValidationError as error:
            form.add_error("choices", error)
        else:
            messages.success(request, _("The question was added."))
            return redirect("programme_questionnaire", programme.pk)
    return _page(
        request,
        "programmes/programme_questionnaire.html",
        programme,
        form=form,
        questions=_with_neighbours(list(programme.questions.all())),
        application_url=request.build_absolute_uri(
            reverse("programme_apply_link", args=[programme.application_token])
        ),
        http_status=400 if form.is_bound else 200,
    )


def _with_neighbours(questions: list[Question]) -> list[tuple[Question, bool, bool]]:
    """Each question, whether it is the first of its role, and whether it is the last."""
    roles = [question.role for question in questions]
    return [
        (
            question,
            n == 0 or roles[n - 1] != question.role,
            n == len(questions) - 1 or roles[n + 1] != question.role,
        )
        for n, question in enumerate(questions)
    ]


def _question_arguments(data: dict[str, Any]) -> dict[str, Any]:
    """The service's arguments from a valid question form."""
    return {**data, "choices": data["choices"].splitlines()}


@login_required
def question_edit(request: HttpRequest, programme_id: int, question_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    question = get_object_or_404(programme.questions, pk=question_id)
    form = QuestionForm(
        _posted(request),
        initial={
            "role": question.role,
            "text": question.text,
            "kind": question.kind,
            "choices": "\n".join(question.choices),
            "maps_to": question.maps_to,
            "required": question.required,
        },
    )
    if request.method == "POST" and form.is_valid():
        changes = run_on_form(
            form,
            questionnaire_services.question_edit,
            question=question,
            actor=request.user,
            **_question_arguments(form.cleaned_data),
        )
        if changes is not None:
            messages.success(
                request,
                _("The question was changed.") if changes else _("Nothing was changed."),
            )
            return redirect("programme_questionnaire", programme.pk)
    return _page(
        request,
        "programmes/question_edit.html",
        programme,
        form=form,
        question=question,
        http_status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def question_move(request: HttpRequest, programme_id: int, question_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    question = get_object_or_404(programme.questions, pk=question_id)
    submit(
        request,
        MoveForm(request.POST),
        questionnaire_services.question_move,
        question=question,
        actor=request.user,
        success=_("The question was moved."),
    )
    page = reverse("programme_questionnaire", args=[programme.pk])
    return redirect(f"{page}#question-{question.pk}")


@login_required
@require_POST
def question_delete(request: HttpRequest, programme_id: int, question_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    question = get_object_or_404(programme.questions, pk=question_id)
    return _remove_part(
        request,
        programme.pk,
        "programme_questionnaire",
        questionnaire_services.question_delete,
        question=question,
        success=_("The question was removed."),
    )
