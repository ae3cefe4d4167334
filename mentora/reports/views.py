from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.messages import attempt, valid
from mentora.programmes import access as programme_access
from mentora.programmes.models import Programme
from mentora.reports import access, benchmark
from mentora.reports.aggregates import build_report, published_surveys
from mentora.reports.charts import chart_links, charts_for, favourable_chart, retention_chart, svg
from mentora.reports.exports import html_pdf, report_pdf, report_xlsx
from mentora.reports.forms import BenchmarkUploadForm
from mentora.reports.organisation import RETENTION_MONTHS, outcomes
from mentora.reports.retention import retention
from mentora.reports.standards import assess
from mentora.reports.summary import summarise

# Cohorts compared on the page: enough to see a trend, few enough to stay fast.
MAX_COMPARED = 8


def _compared(user: Any, programme: Programme) -> list[Programme]:
    """Other cohorts the viewer may read: the same organisation's programmes."""
    others = (
        programme_access.programmes_for(user)
        .filter(organisation=programme.organisation)
        .exclude(pk=programme.pk)
        .order_by("-start_date", "pk")
    )
    return list(others[:MAX_COMPARED])


def _language() -> str:
    return (get_language() or "en")[:2]


def _context(request: HttpRequest, programme: Programme) -> dict[str, Any]:
    report = build_report(programme, compare_with=_compared(request.user, programme))
    percentiles = benchmark.percentiles(programme, report.surveys)
    for result in report.surveys:
        for item in result.items:
            key = (result.survey.wave, item.question.code, item.question.text_en)
            if item.favourable is not None and key in percentiles:
                item.percentile, item.benchmark_programmes = percentiles[key]
    return {
        "programme": programme,
        "report": report,
        "summary": summarise(report),
        "charts": chart_links(report),
        "percentiles": percentiles,
        "can_manage": programme_access.can_manage_programme(request.user, programme),
    }


@login_required
def programme_report(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_report(request.user, programme_id)
    context = _context(request, programme)
    context["upload_form"] = BenchmarkUploadForm() if context["can_manage"] else None
    return render(request, "reports/report.html", context)


@login_required
def programme_report_pdf(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_report(request.user, programme_id)
    context = _context(request, programme)
    context["charts"] = charts_for(context["report"], _language())
    pdf = report_pdf(context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{programme.pk}.pdf"'
    return response


@login_required
def programme_report_xlsx(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_report(request.user, programme_id)
    context = _context(request, programme)
    data = report_xlsx(context["report"], context["percentiles"], context["summary"])
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="report-{programme.pk}.xlsx"'
    return response


@login_required
def benchmark_export(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_report(request.user, programme_id)
    response = JsonResponse(benchmark.export([programme]), json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="benchmark-{programme.pk}.json"'
    return response


@login_required
@require_POST
def benchmark_upload(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_report(request.user, programme_id, write=True)
    form = BenchmarkUploadForm(request.POST, request.FILES)
    if valid(request, form):
        attempt(
            request,
            benchmark.benchmark_load,
            organisation=programme.organisation,
            source=form.cleaned_data["source"],
            data=form.cleaned_data["file"],
            actor=request.user,
            success=lambda count: _("Loaded %(count)s benchmark figures.") % {"count": count},
        )
    return redirect("programme_report", programme.pk)


def _standards_context(request: HttpRequest, programme: Programme) -> dict[str, Any]:
    can_manage = programme_access.can_manage_programme(request.user, programme)
    return {
        "programme": programme,
        "assessment": assess(programme).for_reader(can_manage=can_manage),
        "can_manage": can_manage,
    }


@login_required
def programme_standards(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The standards evidence pack: who may read the outcome report may read it."""
    programme = access.access_report(request.user, programme_id)
    return render(request, "reports/standards.html", _standards_context(request, programme))


@login_required
def programme_standards_pdf(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_report(request.user, programme_id)
    pdf = html_pdf("reports/standards_pdf.html", _standards_context(request, programme))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="standards-{programme.pk}.pdf"'
    return response


@login_required
def organisation_outcomes(request: HttpRequest, slug: str) -> HttpResponse:
    """Outcomes across programmes: all for organisation admins, sponsors' own for sponsors."""
    organisation, programmes = access.access_organisation_outcomes(request.user, slug)
    return render(
        request,
        "reports/organisation_outcomes.html",
        {
            "organisation": organisation,
            "outcomes": outcomes(programmes),
            "retention_months": RETENTION_MONTHS,
        },
    )


def _svg(figure: Any) -> HttpResponse:
    if figure is None:
        raise Http404
    response = HttpResponse(svg(figure), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def report_chart_survey(request: HttpRequest, programme_id: int, survey_id: int) -> HttpResponse:
    """One survey's chart of the report page, from the same published figures."""
    programme = access.access_report(request.user, programme_id)
    result = next((r for r in published_surveys(programme) if r.survey.pk == survey_id), None)
    if result is None:
        raise Http404
    return _svg(favourable_chart(result.items, _language()))


@login_required
def report_chart_retention(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_report(request.user, programme_id)
    return _svg(retention_chart(retention(programme)))
