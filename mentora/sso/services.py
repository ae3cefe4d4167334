"""Single sign-on writes: an organisation's provider settings, and the account of someone
who signs in through it. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.accounts import services as account_services
from mentora.accounts.models import (
    IdentityProvider,
    Organisation,
    SsoLinkClaim,
    SsoReplay,
    User,
)
from mentora.core.audit import audit_log, values_assign, values_check
from mentora.people.models import Person

PROVIDER_FIELDS = (
    "enabled",
    "protocol",
    "domains",
    "password_login",
    "link_by",
    "link_claim",
    "oidc_issuer",
    "oidc_client_id",
    "oidc_client_secret",
    "saml_metadata",
)
# What the audit log may say about a change: never the secret, never the metadata text.
UNLOGGED_VALUES = {"oidc_client_secret", "saml_metadata"}


class SsoRefusal(Exception):
    """A sign-in that must not go ahead; `reason` names the page the person sees."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def identity_provider_update(
    *, organisation: Organisation, actor: Any, **values: Any
) -> IdentityProvider:
    """Change how an organisation's people sign in. A blank client secret keeps the one
    stored; each e-mail domain belongs to one organisation only."""
    values_check(values, PROVIDER_FIELDS, what="an identity provider setting")
    provider, _created = IdentityProvider.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    if not values.get("oidc_client_secret"):
        values.pop("oidc_client_secret", None)
    if "domains" in values:
        domains = sorted({d.strip().lower().lstrip("@") for d in values["domains"].split() if d})
        values["domains"] = "\n".join(domains)
        for other in IdentityProvider.objects.exclude(pk=provider.pk).filter(domains__regex=r".+"):
            taken = set(domains) & set(other.domain_list)
            if taken:
                raise ValidationError(
                    _("The domain %(domain)s already belongs to another organisation."),
                    params={"domain": sorted(taken)[0]},
                    code="domain_taken",
                )
    changes = values_assign(provider, values, PROVIDER_FIELDS)
    merged = {**_as_provider_values(provider)}
    _check_complete(merged)
    if changes:
        provider.save()
        audit_log(
            actor=actor,
            action="accounts.identity_provider.update",
            obj=provider,
            organisation=organisation,
            changes={
                name: ({"changed": True} if name in UNLOGGED_VALUES else change)
                for name, change in changes.items()
            },
        )
    return provider


def _as_provider_values(provider: IdentityProvider) -> dict[str, Any]:
    return {name: getattr(provider, name) for name in PROVIDER_FIELDS}


def _check_complete(values: dict[str, Any]) -> None:
    """A provider that is switched on must have what its protocol needs."""
    if not values["enabled"]:
        return
    if not values["domains"]:
        raise ValidationError(
            _("Give at least one e-mail domain whose people sign in this way."), code="domains"
        )
    if values["protocol"] == "oidc":
        missing = [
            n for n in ("oidc_issuer", "oidc_client_id", "oidc_client_secret") if not values[n]
        ]
        if missing:
            raise ValidationError(
                _("OpenID Connect needs the issuer, the client id and the client secret."),
                code="oidc_incomplete",
            )
    elif not values["saml_metadata"].strip():
        raise ValidationError(
            _("SAML needs the identity provider's metadata."), code="saml_incomplete"
        )


def replay_guard(*, key: str, expires_at: dt.datetime) -> None:
    """Remember that `key` (an assertion id, a nonce) was used, until it expires; refuse
    it if it was used before."""
    now = timezone.now()
    SsoReplay.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            SsoReplay.objects.create(key=key[:300], expires_at=max(expires_at, now))
    except IntegrityError:
        raise SsoRefusal("replayed") from None


def _claim_value(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    # SAML attributes come as lists of values.
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return str(value).strip() if value is not None else ""


@transaction.atomic
def sso_sign_in(*, provider: IdentityProvider, claims: dict[str, Any]) -> User:
    """The account of the person the provider vouched for, found through the HR data by
    the configured claim. Someone HR does not know is refused, and nothing is created."""
    value = _claim_value(claims, provider.link_claim)
    if not value:
        raise SsoRefusal("no_claim")
    # Guests (people outside the HR data) never sign in through the organisation.
    people = Person.objects.current().filter(organisation=provider.organisation, external=False)
    if provider.link_by == SsoLinkClaim.EMPLOYEE_ID:
        matches = list(people.filter(employee_id=value)[:2])
    else:
        matches = list(people.filter(email__iexact=value)[:2])
    if len(matches) != 1:
        raise SsoRefusal("unknown")
    person = matches[0]
    user: User | None = person.user
    if user is None:
        if not person.email:
            raise SsoRefusal("unknown")
        user = User.objects.filter(email__iexact=person.email).first()
        if user is not None and Person.objects.filter(user=user).exists():
            # The account already belongs to someone else in the HR data.
            raise SsoRefusal("unknown")
        if user is None:
            user = account_services.user_create(email=person.email, full_name=person.full_name)
        person.user = user
        person.save(update_fields=["user"])
        audit_log(
            actor=None,
            action="people.person.link_account",
            obj=person,
            changes={"user": user.pk, "by": provider.protocol},
        )
    if not user.is_active:
        raise SsoRefusal("inactive")
    return user
