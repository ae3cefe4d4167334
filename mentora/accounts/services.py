"""Writes about users, organisations and memberships. Each is atomic and audited."""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentora.accounts import two_factor
from mentora.accounts.models import (
    CalendarFeed,
    Membership,
    Organisation,
    RecoveryCode,
    RecoveryCodes,
    Role,
    User,
)
from mentora.accounts.tasks import send_invitation
from mentora.core.audit import audit_log, snapshot, values_assign, values_check

USER_PREFERENCE_FIELDS = ("full_name", "language", "time_zone")
ORGANISATION_FIELDS = ("name", "allow_external_managers", "require_two_factor")


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str = "",
    password: str | None = None,
    language: str = settings.LANGUAGE_CODE,
    actor: Any = None,
) -> User:
    """Create a user account; without a password the user sets one from an e-mail link."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            _("A user with the e-mail address %(email)s already exists."),
            params={"email": email},
            code="duplicate",
        )
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, language=language
    )
    audit_log(
        actor=actor,
        action="accounts.user.create",
        obj=user,
        changes=snapshot(user, ("email", "full_name", "language")),
    )
    return user


@transaction.atomic
def user_update_preferences(*, user: User, actor: Any, **values: Any) -> User:
    """Change a user's name, language or time zone."""
    values_check(values, USER_PREFERENCE_FIELDS, what="a preference")
    if "language" in values and values["language"] not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."), code="language")
    changes = values_assign(user, values, USER_PREFERENCE_FIELDS)
    if changes:
        user.save(update_fields=list(changes))
        audit_log(actor=actor, action="accounts.user.update", obj=user, changes=changes)
    return user


@transaction.atomic
def organisation_create(*, name: str, slug: str, actor: Any) -> Organisation:
    organisation = Organisation.objects.create(name=name, slug=slug)
    audit_log(
        actor=actor,
        action="accounts.organisation.create",
        obj=organisation,
        changes=snapshot(organisation, ("name", "slug")),
    )
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: Any, **values: Any) -> Organisation:
    values_check(values, ORGANISATION_FIELDS, what="an organisation setting")
    changes = values_assign(organisation, values, ORGANISATION_FIELDS)
    if changes:
        organisation.save(update_fields=list(changes))
        audit_log(
            actor=actor, action="accounts.organisation.update", obj=organisation, changes=changes
        )
    return organisation


@transaction.atomic
def organisation_set_competitors(
    *, organisation: Organisation, competitors: list[Organisation], actor: Any
) -> None:
    before = sorted(organisation.competitors.values_list("pk", flat=True))
    if organisation in competitors:
        raise ValidationError(_("An organisation cannot compete with itself."), code="self")
    organisation.competitors.set(competitors)
    after = sorted(c.pk for c in competitors)
    if before != after:
        audit_log(
            actor=actor,
            action="accounts.organisation.competitors",
            obj=organisation,
            changes={"competitors": {"old": before, "new": after}},
        )


@transaction.atomic
def membership_grant(
    *, organisation: Organisation, user: User, role: str, actor: Any
) -> Membership:
    """Give `user` a role in `organisation` (no-op if they already hold it)."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role."), code="role")
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, role=role
    )
    if created:
        audit_log(
            actor=actor,
            action="accounts.membership.grant",
            obj=membership,
            changes={"user": user.email, "role": role},
        )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: Any) -> None:
    """Take a role away. An organisation keeps at least one organisation admin."""
    if (
        membership.role == Role.ORG_ADMIN
        and not Membership.objects.filter(organisation=membership.organisation, role=Role.ORG_ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(
            _("The last organisation admin cannot be removed."), code="last_admin"
        )
    audit_log(
        actor=actor,
        action="accounts.membership.revoke",
        obj=membership,
        organisation=membership.organisation,
        changes={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def member_invite(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    actor: Any,
    full_name: str = "",
    language: str = settings.LANGUAGE_CODE,
) -> Membership:
    """Add someone to an organisation, creating their account if needed, and e-mail them.

    The e-mail goes out from the task worker once the transaction has committed,
    so a failed invitation never sends mail.
    """

    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        user = user_create(email=email, full_name=full_name, language=language, actor=actor)
    membership = membership_grant(organisation=organisation, user=user, role=role, actor=actor)
    transaction.on_commit(partial(send_invitation.enqueue, membership.pk))
    return membership


def _token_hash(token: str) -> str:
    # The token carries 256 random bits, so a plain SHA-256 cannot be guessed backwards:
    # no slow password hash is needed, and the lookup stays one indexed query.
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_renew(*, user: User, actor: Any) -> str:
    """Give `user` a new private calendar subscription link, revoking any earlier one.
    Returns the token, which is kept only as a hash and so can be shown only now."""
    if actor is None or actor.pk != user.pk:
        raise ValidationError(_("Only you can make your calendar link."))
    token = secrets.token_urlsafe(32)
    replaced = CalendarFeed.objects.filter(user=user).delete()[0] > 0
    feed = CalendarFeed.objects.create(user=user, token_hash=_token_hash(token))
    audit_log(
        actor=actor,
        action="accounts.calendar_feed.renew",
        obj=feed,
        changes={"replaced": replaced},
    )
    return token


@transaction.atomic
def calendar_feed_stop(*, user: User, actor: Any) -> None:
    """Revoke `user`'s calendar subscription link: it answers 404 from now on."""
    if actor is None or actor.pk != user.pk:
        raise ValidationError(_("Only you can stop your calendar link."))
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        raise ValidationError(_("You have no calendar link."))
    feed.delete()
    audit_log(actor=actor, action="accounts.calendar_feed.stop", obj=user)


def calendar_feed_owner(token: str) -> User | None:
    """The active user whose calendar link carries `token`, or None."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_token_hash(token), user__is_active=True)
        .first()
    )
    return feed.user if feed else None


# Two-factor log-in ----------------------------------------------------------------------


def _recovery_codes_issue(user: User) -> list[str]:
    """Replace the user's recovery codes; the new ones are returned to be shown once."""
    RecoveryCodes.objects.filter(user=user).delete()
    device = RecoveryCodes.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = two_factor.new_recovery_codes()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, digest=two_factor.code_digest(code)) for code in codes]
    )
    return codes


@transaction.atomic
def two_factor_enrol(
    *, user: User, key: str, code: str, actor: Any
) -> tuple[TOTPDevice, list[str]]:
    """Turn on two-factor log-in with the authenticator app holding the secret `key`, once it
    shows the right `code`. Returns the app's device and the recovery codes, shown once."""
    step = two_factor.totp_step(key, code)
    if step is None:
        raise ValidationError(
            _("That code is not right. Check the time on your phone, then try the newest code."),
            code="code",
        )
    TOTPDevice.objects.filter(user=user).delete()
    # The code just used is never accepted again (django-otp keeps the last step used).
    device = TOTPDevice.objects.create(
        user=user, name="authenticator app", key=key, confirmed=True, last_t=step
    )
    codes = _recovery_codes_issue(user)
    audit_log(actor=actor, action="accounts.two_factor.enrol", obj=user)
    return device, codes


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> Device:
    """The device that `code` comes from, a code from the app or an unused recovery code;
    a recovery code is used up."""
    compact = code.strip().replace(" ", "")
    # Only ASCII digits make an app's code: "²" is a digit to Python, not to TOTP.
    digits = re.fullmatch(r"[0-9]+", compact) is not None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if digits and device.verify_token(compact):
            return device
    for codes in RecoveryCodes.objects.filter(user=user, confirmed=True):
        if not digits and codes.verify_token(compact):
            left = codes.codes.filter(used_at__isnull=True).count()
            audit_log(
                actor=user,
                action="accounts.two_factor.recovery_code_used",
                obj=user,
                changes={"left": left},
            )
            return codes
    raise ValidationError(_("That code is not right."), code="code")


@transaction.atomic
def recovery_codes_renew(*, user: User, actor: Any) -> list[str]:
    """New recovery codes in place of the old ones, every one of which stops working."""
    if not two_factor.enrolled(user):
        raise ValidationError(_("Set up two-factor log-in first."), code="not_enrolled")
    codes = _recovery_codes_issue(user)
    audit_log(actor=actor, action="accounts.two_factor.recovery_codes", obj=user)
    return codes


@transaction.atomic
def two_factor_disable(*, user: User, actor: Any) -> None:
    """Turn off two-factor log-in, unless the user's organisation or role requires it."""
    if two_factor.required_for(user):
        raise ValidationError(
            _("Your role requires two-factor log-in, so it cannot be turned off."),
            code="required",
        )
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodes.objects.filter(user=user).delete()
    audit_log(actor=actor, action="accounts.two_factor.disable", obj=user)
