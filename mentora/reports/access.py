"""Who may read a programme's outcome report and its exports."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from mentora.accounts.access import (
    ADMIN_ROLES,
    Viewer,
    access_organisation,
    is_platform_admin,
    user_roles,
)
from mentora.accounts.models import Organisation, Role
from mentora.programmes.access import access_programme
from mentora.programmes.models import Programme


def access_report(user: Viewer, programme_id: int, *, write: bool = False) -> Programme:
    """A programme's outcome report: managers, sponsors, partner staff and platform admins.

    Writes (loading benchmark figures) are for those running the programme. Participants
    and line managers of a taking-part organisation get 403, outsiders 404.
    """
    return access_programme(user, programme_id, write=write)


def access_organisation_outcomes(user: Viewer, slug: str) -> tuple[Organisation, list[Programme]]:
    """An organisation's outcomes across programmes, and the programmes the reader may see.

    Organisation admins (and platform admins) see every programme the organisation owns;
    sponsors only the programmes they sponsor. Other members get 403, outsiders 404.
    """
    organisation = access_organisation(user, slug)
    programmes = Programme.objects.filter(organisation=organisation).order_by(
        "-start_date", "name", "pk"
    )
    # Platform and organisation admins answer for the whole organisation's mentoring.
    if is_platform_admin(user) or user_roles(user, organisation) & ADMIN_ROLES:
        return organisation, list(programmes)
    sponsored = list(programmes.filter(sponsors=user.pk))
    # A sponsor by role, or by backing one of its programmes, follows what they back.
    if Role.SPONSOR in user_roles(user, organisation) or sponsored:
        return organisation, sponsored
    raise PermissionDenied
