from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from mentora.accounts.models import Organisation
from mentora.people.models import Person


def token_digest(secret: str) -> str:
    """What is stored of a token: its SHA-256. A token is 256 random bits, so a plain hash
    cannot be reversed or guessed, and looking one up costs a single index probe."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ScimTokenQuerySet(models.QuerySet["ScimToken"]):
    def live(self) -> ScimTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ScimToken(models.Model):
    """A bearer token an identity provider uses to provision one organisation's people.

    Only its digest is kept: the token itself is shown once, when it is created. It acts
    with the rights of the organisation admin who created it, and stops working when it is
    revoked or when they are no longer an organisation admin."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters, so that an admin can tell which token an IdP holds.
    prefix = models.CharField(max_length=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScimTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("SCIM token")
        verbose_name_plural = _("SCIM tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class ScimIdentity(models.Model):
    """How the identity provider knows a person: their userName and its own id for them."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="scim"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="scim_identities"
    )
    user_name = models.CharField(_("user name"), max_length=254)
    external_id = models.CharField(_("external id"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("SCIM identity")
        verbose_name_plural = _("SCIM identities")
        constraints = [
            # userName is unique and compared without case (RFC 7643, section 4.1.1).
            models.UniqueConstraint(
                "organisation", Lower("user_name"), name="scim_identity_unique_user_name"
            ),
        ]

    def __str__(self) -> str:
        return self.user_name
