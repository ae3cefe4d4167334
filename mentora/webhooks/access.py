"""Who may see and change an organisation's webhooks: its administrators."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from mentora.accounts.access import Viewer, access_organisation_staff_area
from mentora.accounts.models import Organisation
from mentora.webhooks.models import Webhook


def access_webhooks(user: Viewer, slug: str, *, write: bool = False) -> Organisation:
    """The organisation, for its webhooks page.

    Programme managers read the list and its log; only organisation admins add, remove or
    test a webhook. Other members get 403, outsiders 404.
    """
    return access_organisation_staff_area(user, slug, write=write)


def access_webhook(user: Viewer, slug: str, webhook_id: int, *, write: bool = False) -> Webhook:
    """One webhook of the organisation, with its delivery log."""
    organisation = access_webhooks(user, slug, write=write)
    return get_object_or_404(
        Webhook.objects.select_related("organisation"), pk=webhook_id, organisation=organisation
    )
