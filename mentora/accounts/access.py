"""Who may see or change what: the shared core every app's `access.py` is built on.

Each app decides who may see or change its own objects, with one typed `access_<thing>`
helper per object, in its own `access.py`; views and API endpoints never fetch a
protected object any other way. The rule they all share: outsiders get the same 404 for
"missing" and "not yours", so the existence of an organisation and of anything in it is
never revealed to someone outside it; a member of a taking-part organisation who may not
look (or only read) gets 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from mentora.accounts.models import Membership, Organisation, Role, User

# Whoever makes a request: a user, or an anonymous visitor.
Viewer = User | AnonymousUser

# Roles that run the organisation's mentoring: they see its directory and members.
STAFF_ROLES = frozenset({Role.ORG_ADMIN, Role.PROGRAMME_MANAGER})
# Roles that may change the organisation itself and who belongs to it.
ADMIN_ROLES = frozenset({Role.ORG_ADMIN})


def signed_in(user: Viewer) -> TypeGuard[User]:
    """A logged-in user whose account is active."""
    return bool(user.is_authenticated and user.is_active)


def is_platform_admin(user: Viewer) -> bool:
    """Platform admins run the installation and may do anything."""
    return bool(signed_in(user) and user.is_superuser)


def user_roles(user: Viewer, organisation: Organisation) -> frozenset[str]:
    """The roles `user` holds in `organisation` (empty for outsiders and anonymous users)."""
    if signed_in(user):
        cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_mentora_roles", {})
        if organisation.pk not in cache:
            cache[organisation.pk] = frozenset(
                Membership.objects.filter(user=user, organisation=organisation).values_list(
                    "role", flat=True
                )
            )
        return cache[organisation.pk]
    return frozenset()


def roles_in_any(user: Viewer, organisation_ids: Iterable[int]) -> frozenset[str]:
    """Every role `user` holds in any of the organisations."""
    if signed_in(user):
        return frozenset(
            Membership.objects.filter(user=user, organisation_id__in=organisation_ids).values_list(
                "role", flat=True
            )
        )
    return frozenset()


def refuse(user: Viewer, organisation_ids: Iterable[int]) -> NoReturn:
    """Say no the way every helper does: 403 to a member of one of the organisations the
    object belongs to (they may know it exists, not look inside), 404 to everyone else."""
    if roles_in_any(user, organisation_ids):
        raise PermissionDenied
    raise Http404


def organisations_for(user: Viewer) -> QuerySet[Organisation]:
    """The organisations `user` may see: all for a platform admin, else their own."""
    if is_platform_admin(user):
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user_id=user.pk).distinct()


def access_organisation(user: Viewer, slug: str, *, write: bool = False) -> Organisation:
    """The organisation `slug` if `user` may see it (and change it when `write`)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if is_platform_admin(user):
        return organisation
    roles = user_roles(user, organisation)
    # Outsiders must not learn that the organisation exists.
    if not roles:
        raise Http404
    # Members may read; only organisation admins may change.
    if write and not roles & ADMIN_ROLES:
        raise PermissionDenied
    return organisation


def is_organisation_admin(user: Viewer, organisation: Organisation) -> bool:
    """Whether `user` may change the organisation's staff pages (platform admins too)."""
    return is_platform_admin(user) or bool(user_roles(user, organisation) & ADMIN_ROLES)


def access_organisation_staff_area(user: Viewer, slug: str, *, write: bool = False) -> Organisation:
    """The organisation if `user` may use its staff pages (members, directory).

    Writes there (inviting, changing roles) are for organisation admins only.
    """
    organisation = access_organisation(user, slug)
    if is_platform_admin(user):
        return organisation
    roles = user_roles(user, organisation)
    # Mentors, mentees, sponsors and line managers are members but not staff.
    if not roles & STAFF_ROLES:
        raise PermissionDenied
    # Programme managers read the member list; only organisation admins change it.
    if write and not roles & ADMIN_ROLES:
        raise PermissionDenied
    return organisation


def access_membership(user: Viewer, slug: str, membership_id: int) -> Membership:
    """A membership `user` may change (revoke, alter)."""
    organisation = access_organisation_staff_area(user, slug, write=True)
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organisation=organisation
    )


def access_audit_log(user: Viewer) -> None:
    """The installation-wide audit log is for platform admins; others do not see it exists."""
    if not is_platform_admin(user):
        raise Http404


def can_see_sensitive_attributes(user: Viewer, organisation: Organisation) -> bool:
    """Gender and similar attributes: platform admins and explicitly trusted staff only."""
    if is_platform_admin(user):
        return True
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user_id=user.pk,
        organisation=organisation,
        role__in=STAFF_ROLES,
        sees_sensitive_attributes=True,
    ).exists()


def is_staff_somewhere(user: Viewer) -> bool:
    """Whether `user` runs mentoring in any organisation (or the whole installation)."""
    if is_platform_admin(user):
        return True
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user_id=user.pk, role__in=STAFF_ROLES).exists()
