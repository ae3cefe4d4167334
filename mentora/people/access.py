"""Who may see the people directory's records and the organisation's HR imports."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from mentora.accounts.access import Viewer, access_organisation_staff_area
from mentora.people.models import ImportRun, Person


def access_person(user: Viewer, slug: str, person_id: int) -> Person:
    """A person in the directory of the organisation `slug`: for its staff."""
    organisation = access_organisation_staff_area(user, slug)
    return get_object_or_404(
        Person.objects.select_related("org_unit", "manager", "organisation"),
        pk=person_id,
        organisation=organisation,
    )


def access_import_run(user: Viewer, slug: str, run_id: int) -> ImportRun:
    """An HR import of the organisation: organisation admins only (it changes people data)."""
    organisation = access_organisation_staff_area(user, slug, write=True)
    return get_object_or_404(
        ImportRun.objects.select_related("organisation"), pk=run_id, organisation=organisation
    )
