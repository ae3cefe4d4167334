"""SCIM writes: tokens, and people and units changed through the people services that the
HR import and the directory use, so the same checks and audit apply. Each is atomic."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.accounts.models import Organisation, User
from mentora.core.audit import audit_log
from mentora.people import services as people
from mentora.people.models import OrgUnit, Person
from mentora.scim.models import ScimIdentity, ScimToken, token_digest
from mentora.scim.resources import GroupData, UserData

SOURCE = "scim"
TOKEN_PREFIX = "mscim_"


@transaction.atomic
def token_create(*, organisation: Organisation, name: str, actor: User) -> tuple[ScimToken, str]:
    """A new bearer token for the organisation, and its secret, which is never stored and
    so can be shown only now."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(
        organisation=organisation,
        name=name,
        digest=token_digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        created_by=actor,
    )
    audit_log(actor=actor, action="scim.token.create", obj=token, changes={"name": name})
    return token, secret


@transaction.atomic
def token_revoke(*, token: ScimToken, actor: User) -> ScimToken:
    """Stop a token working, at once and for good."""
    if token.revoked_at is not None:
        raise ValidationError(_("This token was already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_log(actor=actor, action="scim.token.revoke", obj=token, changes={"name": token.name})
    return token


def _person_values(data: UserData, person: Person | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "employee_id": data.employee_id,
        "first_name": data.first_name,
        "last_name": data.last_name,
        "email": data.email,
        "job_title": data.job_title,
        "manager": data.manager,
    }
    # Deactivation sets the leave date; nothing about the person is deleted.
    if data.active is False and (person is None or person.leave_date is None):
        values["leave_date"] = timezone.localdate()
    elif data.active is True:
        values["leave_date"] = None
    return values


def _identity_save(person: Person, data: UserData) -> None:
    taken = (
        ScimIdentity.objects.filter(
            organisation_id=person.organisation_id, user_name__iexact=data.user_name
        )
        .exclude(person=person)
        .exists()
    )
    if taken:
        raise ValidationError(
            _("Another user already has the userName %(name)s.") % {"name": data.user_name},
            code="unique",
        )
    identity = getattr(person, "scim", None) if person.pk else None
    if identity is None:
        ScimIdentity.objects.create(
            person=person,
            organisation_id=person.organisation_id,
            user_name=data.user_name,
            external_id=data.external_id,
        )
    elif (identity.user_name, identity.external_id) != (data.user_name, data.external_id):
        identity.user_name, identity.external_id = data.user_name, data.external_id
        identity.save(update_fields=["user_name", "external_id"])


@transaction.atomic
def scim_user_create(*, organisation: Organisation, data: UserData, actor: User) -> Person:
    """A new person in the directory, known to the identity provider by `data.user_name`."""
    person = people.person_create(
        organisation=organisation,
        values=_person_values(data, None),
        actor=actor,
        source=SOURCE,
    )
    _identity_save(person, data)
    return person


@transaction.atomic
def scim_user_replace(*, person: Person, data: UserData, actor: User) -> Person:
    """Replace what the identity provider says about a person (a PUT, or a PATCH applied)."""
    people.person_update(
        person=person, values=_person_values(data, person), actor=actor, source=SOURCE
    )
    _identity_save(person, data)
    return person


@transaction.atomic
def scim_user_deactivate(*, person: Person, actor: User) -> Person:
    """A DELETE: the person is marked as left today and keeps every record."""
    if person.leave_date is None:
        people.person_update(
            person=person,
            values={"leave_date": timezone.localdate()},
            actor=actor,
            source=SOURCE,
        )
    return person


@transaction.atomic
def scim_group_create(*, organisation: Organisation, data: GroupData, actor: User) -> OrgUnit:
    """A new top-level unit with its members."""
    unit = people.unit_create(organisation=organisation, name=data.name, actor=actor, source=SOURCE)
    if data.members:
        people.unit_members_set(unit=unit, add=data.members, remove=[], actor=actor, source=SOURCE)
    return unit


@transaction.atomic
def scim_group_update(
    *,
    unit: OrgUnit,
    actor: User,
    name: str | None = None,
    members: list[Person] | None = None,
    add: list[Person] | None = None,
    remove: list[Person] | None = None,
) -> OrgUnit:
    """Rename a unit and change who is in it: `members` replaces them all, `add` and
    `remove` change some."""
    if name is not None:
        people.unit_rename(unit=unit, name=name, actor=actor, source=SOURCE)
    add, remove = list(add or []), list(remove or [])
    if members is not None:
        wanted = {person.pk for person in members}
        add += members
        remove += [person for person in unit.people.all() if person.pk not in wanted]
    if add or remove:
        people.unit_members_set(unit=unit, add=add, remove=remove, actor=actor, source=SOURCE)
    return unit


@transaction.atomic
def scim_group_delete(*, unit: OrgUnit, actor: User) -> None:
    """Remove a unit; its people stay, in no unit."""
    people.unit_delete(unit=unit, actor=actor, source=SOURCE)
