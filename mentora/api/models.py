"""API tokens: personal ones act as their owner; an organisation's act for it alone."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The parts of the product a token may be given, each for reading or also for writing.
AREAS = {
    "people": _("People and units"),
    "programmes": _("Programmes, participants and answers"),
    "rounds": _("Matching rounds"),
    "pairs": _("Pairs (facts and health)"),
    "events": _("Events and registrations"),
    "surveys": _("Survey results"),
}
# Areas with something to change through the API.
WRITABLE = ("programmes", "rounds")
SCOPES = [f"{area}:read" for area in AREAS] + [f"{area}:write" for area in WRITABLE]


def scope_label(scope: str) -> str:
    area, _sep, mode = scope.partition(":")
    what = AREAS.get(area, area)
    return f"{what}: {_('write') if mode == 'write' else _('read')}"


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256. A token is long and random, so a slow hash
    would add nothing but time to every request."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A token for the REST API, shown once when it is made and stored only as its hash.

    A personal token (no organisation) acts as its owner, with the owner's rights. An
    organisation's token is made by one of its administrators and acts with that
    administrator's rights inside that organisation only; it stops working when they are
    no longer its administrator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the token, kept in clear to find it and to show which it is.
    prefix = models.CharField(_("starts with"), max_length=16, unique=True)
    hashed = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def scope_labels(self) -> list[str]:
        return [scope_label(scope) for scope in self.scopes]
