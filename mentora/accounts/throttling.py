"""Who is knocking, and how often: the log-in name and client address that every throttle
counts against, and a small rate limit kept in the database, so that it holds across
processes and machines."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import unicodedata
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from mentora.accounts.models import ThrottleEvent


def login_name(name: str) -> str:
    """One spelling per account: Unicode-normalised, trimmed and in lower case, so that
    `Mentor@Example.org ` and `mentor@example.org` count against the same lockout."""
    return unicodedata.normalize("NFKC", name or "").strip().lower()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The login name django-axes counts failures against (`AXES_USERNAME_CALLABLE`)."""
    raw = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if raw is None:
        raw = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return login_name(str(raw))


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind `TRUSTED_PROXIES` reverse proxies, each of which
    appends the address it saw to X-Forwarded-For, it is the entry that the outermost
    trusted proxy appended; anything further left was written by the client and could be
    forged. Without trusted proxies it is the connection's own address."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXIES
    if hops <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _digest(value: str) -> str:
    # Only a keyed digest is kept: the table never holds an e-mail address or an address.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()


def allow(*, kind: str, key: str, limit: int, window: dt.timedelta) -> bool:
    """Record one attempt of `kind` by `key` and say whether it is within `limit` attempts
    per `window`. Attempts over the limit are not recorded, so a blocked client does not
    extend its own block."""
    now = timezone.now()
    digest = _digest(key)
    with transaction.atomic():
        ThrottleEvent.objects.filter(kind=kind, created_at__lt=now - window).delete()
        recent = ThrottleEvent.objects.filter(kind=kind, key=digest, created_at__gte=now - window)
        if recent.count() >= limit:
            return False
        ThrottleEvent.objects.create(kind=kind, key=digest, created_at=now)
    return True


def exceeded(*, kind: str, key: str, limit: int, window: dt.timedelta) -> bool:
    """Whether `key` already made `limit` attempts of `kind` within `window`, without
    counting one more: for limits on failures, recorded with `allow` when one happens."""
    since = timezone.now() - window
    return (
        ThrottleEvent.objects.filter(kind=kind, key=_digest(key), created_at__gte=since).count()
        >= limit
    )
