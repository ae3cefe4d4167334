from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mentora.accounts import access
from mentora.people.models import OrgUnit


@login_required
def people_directory(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation_staff_area(request.user, slug)
    people = organisation.people.select_related("org_unit", "manager")
    query = request.GET.get("q", "").strip()
    unit = request.GET.get("unit", "").strip()
    location = request.GET.get("location", "").strip()
    status = request.GET.get("status", "current")
    if query:
        people = people.filter(
            Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
            | Q(employee_id__iexact=query)
            | Q(job_title__icontains=query)
        )
    if unit.isdigit():
        people = people.filter(org_unit_id=int(unit))
    if location:
        people = people.filter(location=location)
    if status == "current":
        people = people.filter(leave_date__isnull=True)
    elif status == "left":
        people = people.filter(leave_date__isnull=False)
    page = Paginator(people.order_by("last_name", "first_name", "pk"), 50).get_page(
        request.GET.get("page")
    )
    locations = (
        organisation.people.exclude(location="")
        .values_list("location", flat=True)
        .distinct()
        .order_by("location")
    )
    return render(
        request,
        "people/directory.html",
        {
            "organisation": organisation,
            "page": page,
            "q": query,
            "unit": unit,
            "location": location,
            "status": status,
            "units": organisation.org_units.order_by("name"),
            "locations": locations,
        },
    )


@login_required
def person_detail(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    organisation = access.access_organisation_staff_area(request.user, slug)
    person = access.access_person(request.user, organisation, person_id)
    return render(
        request,
        "people/person_detail.html",
        {
            "organisation": organisation,
            "person": person,
            "chain": person.management_chain(),
            "reports": person.reports.select_related("org_unit").order_by("last_name"),
            "sees_sensitive": access.can_see_sensitive_attributes(request.user, organisation),
        },
    )


@login_required
def org_units(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation_staff_area(request.user, slug)
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
