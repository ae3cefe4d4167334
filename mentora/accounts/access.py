"""Who may see or change what. The one place that decides it.

Views never fetch a protected object any other way. Outsiders get the same 404
for "missing" and "not yours", so the existence of an organisation is never
revealed to someone outside it; a member whose role only allows reading gets
403 on a write.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from mentora.accounts.models import Membership, Organisation, Role, User

# Roles that run the organisation's mentoring: they see its directory and members.
STAFF_ROLES = frozenset({Role.ORG_ADMIN, Role.PROGRAMME_MANAGER})
# Roles that may change the organisation itself and who belongs to it.
ADMIN_ROLES = frozenset({Role.ORG_ADMIN})


def _is_platform_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def user_roles(user: Any, organisation: Organisation) -> frozenset[str]:
    """The roles `user` holds in `organisation` (empty for outsiders and anonymous users)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_mentora_roles", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = frozenset(
            Membership.objects.filter(user=user, organisation=organisation).values_list(
                "role", flat=True
            )
        )
    return cache[organisation.pk]


def organisations_for(user: Any) -> QuerySet[Organisation]:
    """The organisations `user` may see: all for a platform admin, else their own."""
    if _is_platform_admin(user):
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


def access_organisation(user: Any, slug: str, *, write: bool = False) -> Organisation:
    """The organisation `slug` if `user` may see it (and change it when `write`)."""
    try:
        organisation = Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise Http404 from None
    # Platform admins run the installation and may do anything.
    if _is_platform_admin(user):
        return organisation
    roles = user_roles(user, organisation)
    # Outsiders must not learn that the organisation exists.
    if not roles:
        raise Http404
    # Members may read; only organisation admins may change.
    if write and not roles & ADMIN_ROLES:
        raise PermissionDenied
    return organisation


def access_organisation_staff_area(user: Any, slug: str, *, write: bool = False) -> Organisation:
    """The organisation if `user` may use its staff pages (members, directory).

    Writes there (inviting, changing roles) are for organisation admins only.
    """
    organisation = access_organisation(user, slug)
    if _is_platform_admin(user):
        return organisation
    roles = user_roles(user, organisation)
    # Mentors, mentees, sponsors and line managers are members but not staff.
    if not roles & STAFF_ROLES:
        raise PermissionDenied
    # Programme managers read the member list; only organisation admins change it.
    if write and not roles & ADMIN_ROLES:
        raise PermissionDenied
    return organisation


def access_membership(user: Any, slug: str, membership_id: int) -> Membership:
    """A membership `user` may change (revoke, alter)."""
    organisation = access_organisation_staff_area(user, slug, write=True)
    try:
        return Membership.objects.select_related("user").get(
            pk=membership_id, organisation=organisation
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def access_audit_log(user: Any) -> None:
    """The installation-wide audit log is for platform admins; others do not see it exists."""
    if not _is_platform_admin(user):
        raise Http404


def can_see_sensitive_attributes(user: Any, organisation: Organisation) -> bool:
    """Gender and similar attributes: platform admins and explicitly trusted staff only."""
    if _is_platform_admin(user):
        return True
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user,
        organisation=organisation,
        role__in=STAFF_ROLES,
        sees_sensitive_attributes=True,
    ).exists()


def is_staff_somewhere(user: User) -> bool:
    if _is_platform_admin(user):
        return True
    return Membership.objects.filter(user=user, role__in=STAFF_ROLES).exists()


def access_person(user: Any, organisation: Organisation, person_id: int) -> Any:
    """A person in `organisation`'s directory; the caller has already checked staff access."""
    from mentora.people.models import Person

    try:
        return Person.objects.select_related("org_unit", "manager", "organisation").get(
            pk=person_id, organisation=organisation
        )
    except Person.DoesNotExist:
        raise Http404 from None


def access_import_run(user: Any, slug: str, run_id: int) -> Any:
    """An HR import of the organisation: organisation admins only (it changes people data)."""
    from mentora.people.models import ImportRun

    organisation = access_organisation_staff_area(user, slug, write=True)
    try:
        return ImportRun.objects.select_related("organisation").get(
            pk=run_id, organisation=organisation
        )
    except ImportRun.DoesNotExist:
        raise Http404 from None
