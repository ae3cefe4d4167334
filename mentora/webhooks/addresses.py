"""Where a webhook may send: only to addresses on the public internet.

Without this, anyone allowed to add a webhook could make Mentora's worker call the
machines behind its firewall (an admin page on loopback, a cloud's metadata service on
169.254.169.254) and read their answers in the delivery log."""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _


def private_address_problem(url: str) -> str:
    """Why `url` may not be called ("" when it may): its host is, or resolves to, an
    address that is not on the public internet. A name that does not resolve (yet) is
    not refused here; the delivery then fails and says so."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return ""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        return ""
    for *_rest, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not address.is_global:
            return _(
                "This address is inside a private network (%(address)s); webhooks go only "
                "to addresses on the internet."
            ) % {"address": address}
    return ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead to a private address after the check: it counts as a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


opener = urllib.request.build_opener(_NoRedirects)
