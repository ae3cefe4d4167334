"""Who may see or change an organisation's single sign-on."""

from __future__ import annotations

from mentora.accounts.access import Viewer, access_organisation_staff_area
from mentora.accounts.models import IdentityProvider, Organisation


def access_identity_provider(
    user: Viewer, slug: str, *, write: bool = False
) -> tuple[Organisation, IdentityProvider]:
    """The organisation and its provider settings (unsaved if there are none yet).

    Staff may read them (the secret is never shown in full); only organisation admins
    may change them. Outsiders get 404, other members 403.
    """
    organisation = access_organisation_staff_area(user, slug, write=write)
    provider = IdentityProvider.objects.filter(organisation=organisation).first()
    return organisation, provider or IdentityProvider(organisation=organisation)
