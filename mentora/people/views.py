from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import CharField, Count, Q, Value
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from mentora.accounts import access as accounts_access
from mentora.core.forms import parse_id
from mentora.core.messages import attempt
from mentora.core.spreadsheets import csv_lines, new_workbook, xlsx_bytes
from mentora.core.tables import Column, sort_table
from mentora.people import access, services
from mentora.people.forms import ImportForm
from mentora.people.importer.plan import export_rows
from mentora.people.models import OrgUnit, Person
from mentora.people.widgets import picker_answer

DIRECTORY_COLUMNS = [
    Column("name", gettext_lazy("Name"), order=("last_name", "first_name")),
    Column("job_title", gettext_lazy("Job title"), order=("job_title", "last_name")),
    Column("unit", gettext_lazy("Unit"), order=("org_unit__name", "last_name")),
    Column("employee_id", gettext_lazy("Employee id"), order=("employee_id",)),
]
# The matches of a search sorted by the same values, through expressions that no index
# covers. Walking the index of the sort order until a page of matches turns up reads most
# of a large organisation when the matches sit late in that order ("Jensen" among 180,000
# people); sorting the few thousand matches that the search indexes find is fast.
SEARCH_SORT_KEYS = {
    f"sort_{field}": Concat(field, Value(""), output_field=CharField())
    for field in ("last_name", "job_title", "employee_id")
}
SEARCH_COLUMNS = [
    Column("name", gettext_lazy("Name"), order=("sort_last_name", "first_name")),
    Column("job_title", gettext_lazy("Job title"), order=("sort_job_title", "last_name")),
    Column("unit", gettext_lazy("Unit"), order=("org_unit__name", "last_name")),
    Column("employee_id", gettext_lazy("Employee id"), order=("sort_employee_id",)),
]


@login_required
def people_directory(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = accounts_access.access_organisation_staff_area(request.user, slug)
    people = organisation.people.select_related("org_unit", "manager")
    query = request.GET.get("q", "").strip()
    unit = request.GET.get("unit", "").strip()
    location = request.GET.get("location", "").strip()
    status = request.GET.get("status", "current")
    if query:
        # The picker's search, on the same indexes: every word begins a name, an e-mail
        # address or an employee id, or is part of a unit's name. A word found anywhere
        # inside a column would read every row of a large organisation.
        people = people.matching(query, organisation=organisation)
    unit_id = parse_id(unit)
    if unit_id is not None:
        people = people.filter(org_unit_id=unit_id)
    if location:
        people = people.filter(location=location)
    if status == "current":
        people = people.filter(leave_date__isnull=True)
    elif status == "left":
        people = people.filter(leave_date__isnull=False)
    columns = DIRECTORY_COLUMNS
    if query:
        people = people.annotate(**SEARCH_SORT_KEYS)
        columns = SEARCH_COLUMNS
    table = sort_table(request, people, columns, default="name", per_page=50)
    locations = Person.objects.locations(organisation=organisation)
    return render(
        request,
        "people/directory.html",
        {
            "organisation": organisation,
            "table": table,
            "page": table.page,
            "q": query,
            "unit": unit,
            "location": location,
            "status": status,
            "units": organisation.org_units.order_by("name"),
            "locations": locations,
            # Organisation admins may choose people and invite them to a programme.
            "can_invite": accounts_access.is_organisation_admin(request.user, organisation)
            and organisation.programmes.exists(),
        },
    )


@login_required
def people_search(request: HttpRequest, slug: str) -> JsonResponse:
    """The current people of the organisation matching `?q=`, for a people picker: the
    first 20 by name, each with what tells them apart. For those who run its mentoring."""
    organisation = accounts_access.access_organisation_staff_area(request.user, slug)

    def find(text: str, limit: int) -> list[tuple[int, Person]]:
        people = (
            Person.objects.current()
            .matching(text, organisation=organisation)
            .select_related("organisation", "org_unit")
            .order_by("last_name", "first_name", "pk")[:limit]
        )
        return [(person.pk, person) for person in people]

    return picker_answer(request, find)


@login_required
def person_detail(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    person = access.access_person(request.user, slug, person_id)
    organisation = person.organisation
    return render(
        request,
        "people/person_detail.html",
        {
            "organisation": organisation,
            "person": person,
            "chain": person.management_chain(),
            "reports": person.reports.select_related("org_unit").order_by("last_name"),
            "sees_sensitive": accounts_access.can_see_sensitive_attributes(
                request.user, organisation
            ),
            # Copies of a person's data and erasures are for organisation admins.
            "handles_requests": accounts_access.is_organisation_admin(request.user, organisation),
        },
    )


@login_required
def org_units(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = accounts_access.access_organisation_staff_area(request.user, slug)
    units = list(
        OrgUnit.objects.filter(organisation=organisation)
        .annotate(headcount=Count("people", filter=Q(people__leave_date__isnull=True)))
        .order_by("name")
    )
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def tree(parent_id: int | None) -> list[tuple[OrgUnit, list]]:
        return [(unit, tree(unit.pk)) for unit in children.get(parent_id, [])]

    return render(
        request, "people/org_units.html", {"organisation": organisation, "tree": tree(None)}
    )


@login_required
def people_import(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = accounts_access.access_organisation_staff_area(request.user, slug, write=True)
    saved = services.mapping_for(organisation)
    initial = {"mapping": "\n".join(f"{k}={v}" for k, v in saved.items())}
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        run = services.import_upload(
            organisation=organisation,
            uploaded=form.cleaned_data["file"],
            full=form.cleaned_data["full"],
            mapping=form.cleaned_data["mapping"],
            actor=request.user,
        )
        return redirect("people_import_run", slug=slug, run_id=run.pk)
    runs = organisation.import_runs.select_related("created_by")[:10]
    return render(
        request,
        "people/import.html",
        {"organisation": organisation, "form": form, "runs": runs},
        status=400 if form.errors else 200,
    )


@login_required
def people_import_run(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    run = access.access_import_run(request.user, slug, run_id)
    context = {"organisation": run.organisation, "run": run}
    if request.headers.get("HX-Request") == "true":
        # While it runs the bar refreshes itself; once finished the whole page reloads.
        if not run.is_running:
            return HttpResponseClientRefresh()
        return render(request, "people/import_run.html#progress", context)
    return render(request, "people/import_run.html", context)


@login_required
@require_POST
def people_import_apply(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    return _import_run_step(request, slug, run_id, services.import_apply_start)


@login_required
@require_POST
def people_import_cancel(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    return _import_run_step(request, slug, run_id, services.import_cancel)


def _import_run_step(
    request: HttpRequest, slug: str, run_id: int, service: Callable[..., Any]
) -> HttpResponse:
    """Move an import run on with ``service`` and show the run again."""
    run = access.access_import_run(request.user, slug, run_id)
    attempt(request, service, run=run, actor=request.user)
    return redirect("people_import_run", slug=slug, run_id=run.pk)


@login_required
def people_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    organisation = accounts_access.access_organisation_staff_area(request.user, slug)
    rows = export_rows(
        organisation,
        include_sensitive=accounts_access.can_see_sensitive_attributes(request.user, organisation),
    )
    filename = f"{organisation.slug}-people.{fmt}"
    response: HttpResponseBase
    if fmt == "xlsx":
        # Write-only: a 180,000-person directory streams into the file row by row.
        workbook = new_workbook(write_only=True)
        sheet = workbook.create_sheet("people")
        for row in rows:
            sheet.append(row)
        response = HttpResponse(
            xlsx_bytes(workbook),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
