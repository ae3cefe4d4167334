"""A person's calendar subscription, read by calendar clients with the token alone."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from mentora.accounts.services import calendar_feed_owner
from mentora.relationships.feed import calendar_feed_ics


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed of the person whose link carries `token`. Calendar clients send no
    session, so the token is the key; an unknown or revoked one is 404, like any page
    that is not there."""
    user = calendar_feed_owner(token)
    if user is None:
        raise Http404
    response = HttpResponse(calendar_feed_ics(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mentora.ics"'
    # The feed is one person's: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
