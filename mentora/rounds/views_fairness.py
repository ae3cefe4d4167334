"""A round's fairness report: the page, its PDF and XLSX, and asking for the order check
again. Only those running the programme see it, as they see the round."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.accounts import access as accounts_access
from mentora.core.messages import attempt
from mentora.core.pdf import REPORT_STYLESHEET, render_pdf
from mentora.programmes import access as programme_access
from mentora.rounds import access
from mentora.rounds.fairness_view import fairness_xlsx, presented
from mentora.rounds.forms import FairnessForm
from mentora.rounds.models import RESULT_STATUSES, MatchingRound
from mentora.rounds.services import fairness as fairness_services


def _report(request: HttpRequest, matching_round: MatchingRound) -> dict[str, Any]:
    include_gender = accounts_access.can_see_sensitive_attributes(
        request.user, matching_round.programme.organisation
    )
    form = FairnessForm(request.GET or None, include_gender=include_gender)
    attributes = form.attributes()
    context: dict[str, Any] = {
        "round": matching_round,
        "programme": matching_round.programme,
        "form": form,
        "query": request.GET.urlencode(),
        "report": None,
    }
    # Suggestions are not pairs: a suggestion round has a report once choices are settled.
    settled = matching_round.kind != "suggestions" or matching_round.proposals.exists()
    if matching_round.status in RESULT_STATUSES and settled:
        fairness = fairness_services.round_fairness(matching_round, attributes=attributes)
        context["report"] = presented(matching_round, fairness)
        context["fairness"] = fairness
    return context


@login_required
def round_fairness(request: HttpRequest, round_id: int) -> HttpResponse:
    matching_round = access.access_round(request.user, round_id)
    return render(request, "rounds/fairness.html", _report(request, matching_round))


@login_required
def round_fairness_pdf(request: HttpRequest, round_id: int) -> HttpResponse:
    matching_round = access.access_round(request.user, round_id)
    pdf = render_pdf(
        "rounds/fairness_pdf.html",
        _report(request, matching_round),
        stylesheet=REPORT_STYLESHEET,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="fairness-{matching_round.pk}.pdf"'
    return response


@login_required
def round_fairness_xlsx(request: HttpRequest, round_id: int) -> HttpResponse:
    matching_round = access.access_round(request.user, round_id)
    context = _report(request, matching_round)
    if context["report"] is None:
        return redirect("round_fairness", round_id=matching_round.pk)
    response = HttpResponse(
        fairness_xlsx(matching_round, context["fairness"]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="fairness-{matching_round.pk}.xlsx"'
    return response


@login_required
@require_POST
def round_order_check(request: HttpRequest, round_id: int) -> HttpResponse:
    matching_round = access.access_round(request.user, round_id)
    attempt(
        request,
        fairness_services.round_order_check_request,
        matching_round=matching_round,
        actor=request.user,
        success=_("The round will be solved again in a shuffled order. Reload in a while."),
    )
    return redirect("round_fairness", round_id=round_id)


@login_required
def programme_fairness(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The fairness report of the programme's latest round with a result."""
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    latest = programme.rounds.filter(status__in=RESULT_STATUSES).order_by("-number").first()
    if latest is not None:
        return redirect("round_fairness", round_id=latest.pk)
    return render(
        request,
        "rounds/fairness.html",
        {"programme": programme, "round": None, "report": None, "form": None},
    )
