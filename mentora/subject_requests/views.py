"""The pages of access and erasure requests: the person's own, the admin's on a person's
page, each request's progress, its download, and the organisation's list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from mentora.core.confirm import run_confirmed
from mentora.core.messages import attempt
from mentora.core.tables import Column, sort_table
from mentora.subject_requests import access, services
from mentora.subject_requests.models import RequestKind, RequestStatus, SubjectRequest
from mentora.subject_requests.services.requests import is_erased

REQUEST_COLUMNS = [
    Column("created", gettext_lazy("Asked"), order=("created_at",)),
    Column("kind", gettext_lazy("Kind"), order=("kind", "created_at")),
    Column("status", gettext_lazy("Status"), order=("status", "created_at")),
]


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own requests for a copy of their data, and the button."""
    person = access.own_person(request.user)
    if request.method == "POST":
        made = attempt(
            request,
            services.requests.access_request_create,
            person=person,
            actor=request.user,
            success=_("Your copy is being made. This page shows how far it has come."),
        )
        if made:
            latest = SubjectRequest.objects.filter(person=person, kind=RequestKind.ACCESS).first()
            if latest is not None:
                return redirect("subject_request", request_id=latest.pk)
        return redirect("my_data")
    requests = SubjectRequest.objects.filter(person=person, kind=RequestKind.ACCESS)
    return render(
        request, "subject_requests/my_data.html", {"person": person, "requests": requests}
    )


@login_required
@require_POST
def person_access_request(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    """An organisation admin asks for a copy of a person's data on their behalf."""
    person = access.access_person_for_request(request.user, slug, person_id)
    attempt(
        request,
        services.requests.access_request_create,
        person=person,
        actor=request.user,
        success=_("The copy is being made. The list of requests shows how far it has come."),
    )
    return redirect("subject_requests", slug=slug)


@login_required
def person_erase(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    """The confirmation step of an erasure: what it removes, what it keeps; then it runs."""
    person = access.access_person_for_request(request.user, slug, person_id)
    if request.method == "POST":
        if run_confirmed(
            request,
            services.requests.erasure_request_create,
            person=person,
            actor=request.user,
            success=_("The erasure has started. The list of requests shows how far it has come."),
        ):
            return redirect("subject_requests", slug=slug)
        return redirect("person_erase", slug=slug, person_id=person.pk)
    context = {
        "organisation": person.organisation,
        "person": person,
        "erased": is_erased(person),
        "pairs": person.participations.filter(status="active").count(),
    }
    return render(request, "subject_requests/erase.html", context)


@login_required
def subject_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """How far a request has come; while it runs, htmx refreshes the bar."""
    subject = access.access_subject_request(request.user, request_id)
    context = {
        "subject": subject,
        "own": subject.person.user_id == request.user.pk,
        "organisation": subject.organisation,
    }
    if request.headers.get("HX-Request") == "true":
        # While it runs the bar refreshes itself; once finished the whole page reloads.
        if not subject.is_running:
            return HttpResponseClientRefresh()
        return render(request, "subject_requests/request.html#progress", context)
    return render(request, "subject_requests/request.html", context)


@login_required
def subject_request_download(request: HttpRequest, request_id: int, fmt: str) -> HttpResponseBase:
    """The copy, as JSON or PDF: the person's own, or their admin's without private texts."""
    subject = access.access_subject_request(request.user, request_id)
    downloaded: list[object] = []
    attempt(
        request,
        lambda **kw: downloaded.append(services.requests.access_request_download(**kw)),
        request=subject,
        actor=request.user,
        fmt=fmt,
    )
    if not downloaded:
        return redirect("subject_request", request_id=subject.pk)
    stored = downloaded[0]
    content_type = "application/json" if fmt == "json" else "application/pdf"
    return FileResponse(
        stored.open("rb"),  # type: ignore[attr-defined]
        as_attachment=True,
        filename=f"mentora-data-{subject.pk}.{fmt}",
        content_type=content_type,
    )


@login_required
@require_POST
def subject_request_retry(request: HttpRequest, request_id: int) -> HttpResponse:
    subject = access.access_subject_request(request.user, request_id)
    if not access.is_organisation_admin(request.user, subject.organisation):
        return redirect("subject_request", request_id=subject.pk)
    attempt(
        request,
        services.requests.erasure_request_retry,
        request=subject,
        actor=request.user,
        success=_("The erasure runs again."),
    )
    return redirect("subject_request", request_id=subject.pk)


@login_required
def subject_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """Every access and erasure request of the organisation, newest first."""
    organisation = access.access_requests_list(request.user, slug)
    rows = SubjectRequest.objects.filter(organisation=organisation).select_related("person")
    table = sort_table(
        request, rows, REQUEST_COLUMNS, default="created", default_direction="desc", per_page=50
    )
    return render(
        request,
        "subject_requests/list.html",
        {
            "organisation": organisation,
            "table": table,
            "page": table.page,
            "running": rows.filter(status__in=[RequestStatus.QUEUED, RequestStatus.RUNNING]),
        },
    )
