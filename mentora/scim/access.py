"""Who may use the SCIM API of an organisation, and which of its people and units a
request may reach.

A token acts with the rights of the organisation admin who created it, through the same
rule as the staff pages (`access_organisation_staff_area`, with `write`): it stops working
when that person is no longer an organisation admin, as well as when it is revoked."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.accounts.access import Viewer, access_organisation_staff_area
from mentora.accounts.models import Organisation, User
from mentora.core.forms import parse_id
from mentora.people.models import OrgUnit, Person
from mentora.scim.models import ScimToken, token_digest
from mentora.scim.protocol import ScimError

# The last use is written at most this often, so a provisioning run costs no extra writes.
LAST_USE_RESOLUTION = dt.timedelta(minutes=1)


def access_scim_organisation(request: HttpRequest, slug: str) -> tuple[Organisation, User]:
    """The organisation `slug` and the admin its bearer token acts for.

    401 without a live token; 404 when the token is another organisation's, so that a token
    never reveals whether an organisation exists."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ScimError(401, _("A bearer token is required."))
    token = (
        ScimToken.objects.live()
        .select_related("organisation", "created_by")
        .filter(digest=token_digest(secret.strip()))
        .first()
    )
    # Unknown and revoked tokens get the same answer.
    if token is None:
        raise ScimError(401, _("The bearer token is not valid."))
    # Another organisation's token: the same answer as for an organisation that is missing.
    if token.organisation.slug != slug:
        raise Http404
    # The token may do what its creator may do on the staff pages, and no more.
    try:
        organisation = access_organisation_staff_area(token.created_by, slug, write=True)
    except (PermissionDenied, Http404):
        raise ScimError(
            401, _("The person who created this token is no longer an organisation admin.")
        ) from None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_RESOLUTION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return organisation, token.created_by


def access_scim_person(
    organisation: Organisation, person_id: str, *, for_update: bool = False
) -> Person:
    """A person of the organisation, by the id SCIM knows them by (404 otherwise); locked
    until the transaction ends when `for_update`, so that a version checked stays true."""
    pk = parse_id(person_id)
    if pk is None:
        raise Http404
    people = Person.objects.select_related("scim", "organisation")
    if for_update:
        people = people.select_for_update(of=("self",))
    return get_object_or_404(people, pk=pk, organisation=organisation)


def access_scim_unit(
    organisation: Organisation, unit_id: str, *, for_update: bool = False
) -> OrgUnit:
    """A unit of the organisation, by the id SCIM knows it by (404 otherwise)."""
    pk = parse_id(unit_id)
    if pk is None:
        raise Http404
    units = OrgUnit.objects.select_related("organisation")
    if for_update:
        units = units.select_for_update(of=("self",))
    return get_object_or_404(units, pk=pk, organisation=organisation)


def access_scim_token(user: Viewer, slug: str, token_id: int) -> ScimToken:
    """A token of the organisation that `user` may revoke: organisation admins only."""
    organisation = access_organisation_staff_area(user, slug, write=True)
    return get_object_or_404(ScimToken, pk=token_id, organisation=organisation)
