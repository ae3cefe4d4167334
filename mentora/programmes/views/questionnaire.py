"""Planned touchpoints and the questionnaire builder."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.programmes import access
from mentora.programmes.forms import QuestionForm, TouchpointForm
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
        data = form.cleaned_data
        try:
            questionnaire_services.question_add(
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
    return _page(
        request,
        "programmes/programme_questionnaire.html",
        programme,
        form=form,
        questions=programme.questions.all(),
        application_url=request.build_absolute_uri(
            reverse("programme_apply_link", args=[programme.application_token])
        ),
        http_status=400 if form.is_bound else 200,
    )


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
