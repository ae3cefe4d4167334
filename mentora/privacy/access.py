"""Who may see or change data-protection settings, pages and consents."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from mentora.accounts.access import (
    Viewer,
    access_organisation,
    access_organisation_staff_area,
    signed_in,
)
from mentora.accounts.models import Organisation
from mentora.privacy.models import Consent


def access_privacy_settings(user: Viewer, slug: str, *, write: bool = False) -> Organisation:
    """The retention schedule and its runs: staff read them, organisation admins change
    them (404 to outsiders, 403 to other members)."""
    return access_organisation_staff_area(user, slug, write=write)


def access_processing_record(user: Viewer, slug: str) -> Organisation:
    """The record of processing is filed by the organisation's admins only."""
    return access_organisation_staff_area(user, slug, write=True)


def access_privacy_notice(user: Viewer, slug: str) -> Organisation:
    """The organisation's privacy page: every member of the organisation reads it."""
    return access_organisation(user, slug)


def access_consent(user: Viewer, consent_id: int) -> Consent:
    """One of the user's own consents; anyone else's is missing (404)."""
    # Only the person who gave a consent may withdraw it; staff cannot do it for them.
    if not signed_in(user):
        raise Http404
    return get_object_or_404(
        Consent.objects.select_related("programme", "person"),
        pk=consent_id,
        person__user_id=user.pk,
    )
