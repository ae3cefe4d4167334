"""Who may see an access or erasure request, and ask for one."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from mentora.accounts.access import (
    Viewer,
    access_organisation_staff_area,
    is_organisation_admin,
    signed_in,
)
from mentora.accounts.models import Organisation
from mentora.people.models import Person
from mentora.subject_requests.models import RequestKind, SubjectRequest


def access_subject_request(user: Viewer, request_id: int) -> SubjectRequest:
    """A request, for the person it is about (their access requests) and for their
    organisation's admins. Everyone else, staff and partners included, gets 404: that
    someone asked about their data is theirs and the admin's to know."""
    request = get_object_or_404(
        SubjectRequest.objects.select_related("person__user", "organisation", "requested_by"),
        pk=request_id,
    )
    # Anonymous visitors and closed accounts see nothing.
    if not signed_in(user):
        raise Http404
    # The organisation's admins (and platform admins) follow every request.
    if is_organisation_admin(user, request.organisation):
        return request
    # The person themselves, for the copy of their own data.
    if request.kind == RequestKind.ACCESS and request.person.user_id == user.pk:
        return request
    raise Http404


def access_requests_list(user: Viewer, slug: str) -> Organisation:
    """The organisation's list of requests: its admins only."""
    return access_organisation_staff_area(user, slug, write=True)


def access_person_for_request(user: Viewer, slug: str, person_id: int) -> Person:
    """A person of the organisation whom its admin may ask a copy for, or erase."""
    organisation = access_organisation_staff_area(user, slug, write=True)
    return get_object_or_404(
        Person.objects.select_related("user", "organisation"),
        pk=person_id,
        organisation=organisation,
    )


def own_person(user: Viewer) -> Person:
    """The signed-in person's own record in the people directory, or 404."""
    if not signed_in(user):
        raise Http404
    return get_object_or_404(Person.objects.select_related("organisation"), user_id=user.pk)
