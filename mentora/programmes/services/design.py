"""Programme design: creating and changing a programme, its matching policy, the
organisations taking part, and copying it for the next cohort. Each write is atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentora.accounts.models import Organisation, User
from mentora.core.audit import audit_log, snapshot, values_assign, values_check
from mentora.matching import Policy, PolicyError
from mentora.programmes.models import (
    GROUP_SIZE_RECOMMENDED,
    Programme,
    ProgrammeKind,
    ProgrammeOrganisation,
    Question,
    Touchpoint,
)
from mentora.programmes.services.goals import goals_copy

PROGRAMME_FIELDS = (
    "name",
    "kind",
    "delivery",
    "purpose",
    "languages",
    "rolling",
    "start_date",
    "end_date",
    "max_mentees_per_mentor",
    "group_size_override_reason",
    "influence_mode",
    "applications_open",
)


def policy_validate(policy: dict[str, Any]) -> dict[str, Any]:
    """The policy in the engine's canonical dict form, or a ValidationError naming the key."""
    try:
        return Policy.from_dict(policy).to_dict()
    except PolicyError as error:
        raise ValidationError(
            _("The matching policy is not valid: %(key)s %(reason)s"),
            params={"key": error.key, "reason": error.reason},
            code="policy",
        ) from None


def _check_group_size(programme: Programme) -> None:
    if (
        programme.kind == ProgrammeKind.GROUP
        and programme.max_mentees_per_mentor > GROUP_SIZE_RECOMMENDED
        and not programme.group_size_override_reason.strip()
    ):
        raise ValidationError(
            _("Give a reason for more than %(n)s mentees per mentor in group mentoring."),
            params={"n": GROUP_SIZE_RECOMMENDED},
            code="group_size",
        )
    if programme.start_date and programme.end_date and programme.end_date <= programme.start_date:
        raise ValidationError(_("The end date must be after the start date."), code="dates")
    if programme.rolling and programme.end_date is not None:
        raise ValidationError(
            _("A rolling programme has no end date: leave the end date empty."), code="dates"
        )


@transaction.atomic
def programme_create(*, organisation: Organisation, actor: Any, **values: Any) -> Programme:
    """Create a programme owned by `organisation`; the creator joins its manager team."""
    values_check(values, {*PROGRAMME_FIELDS, "matching_policy"}, what="a programme field")
    if "matching_policy" in values:
        values["matching_policy"] = policy_validate(values["matching_policy"])
    programme = Programme(organisation=organisation, **values)
    if programme.kind == ProgrammeKind.GROUP and "max_mentees_per_mentor" not in values:
        programme.max_mentees_per_mentor = GROUP_SIZE_RECOMMENDED
    _check_group_size(programme)
    programme.save()
    if isinstance(actor, User) and not actor.is_superuser:
        programme.managers.add(actor)
    audit_log(
        actor=actor,
        action="programmes.programme.create",
        obj=programme,
        programme=programme,
        changes=snapshot(
            programme, ("name", "kind", "delivery", "rolling", "start_date", "end_date")
        ),
    )
    return programme


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    actor: Any,
    sponsors: Iterable[User] | None = None,
    managers: Iterable[User] | None = None,
    **values: Any,
) -> Programme:
    """Change a programme's design; sponsors and managers are replaced when given."""
    values_check(values, PROGRAMME_FIELDS, what="a programme field")
    changes = values_assign(programme, values, PROGRAMME_FIELDS)
    try:
        _check_group_size(programme)
    except ValidationError:
        # Leave the caller's instance as it is stored, not half-changed.
        programme.refresh_from_db(fields=list(values))
        raise
    if changes:
        programme.save(update_fields=list(changes))
    for name, users in (("sponsors", sponsors), ("managers", managers)):
        if users is None:
            continue
        relation = getattr(programme, name)
        old = sorted(relation.values_list("pk", flat=True))
        users = list(users)
        new = sorted(u.pk for u in users)
        if old != new:
            relation.set(users)
            changes[name] = {"old": old, "new": new}
    if changes:
        audit_log(
            actor=actor,
            action="programmes.programme.update",
            obj=programme,
            programme=programme,
            changes=changes,
        )
    return programme


@transaction.atomic
def programme_set_policy(*, programme: Programme, policy: dict[str, Any], actor: Any) -> Programme:
    """Store the matching policy in the engine's form, after the engine has validated it."""
    clean = policy_validate(policy)
    if clean != programme.matching_policy:
        old = programme.matching_policy
        programme.matching_policy = clean
        programme.save(update_fields=["matching_policy"])
        audit_log(
            actor=actor,
            action="programmes.programme.policy",
            obj=programme,
            programme=programme,
            changes={"matching_policy": {"old": old, "new": clean}},
        )
    return programme


@transaction.atomic
def programme_set_organisations(
    *,
    programme: Programme,
    contributions: list[tuple[Organisation, bool, bool]],
    actor: Any,
) -> None:
    """Set the other organisations of a cross-organisation programme: (org, mentors, mentees)."""
    wanted = {org.pk: (org, mentors, mentees) for org, mentors, mentees in contributions}
    wanted.pop(programme.organisation_id, None)
    for _org_id, (_org, mentors, mentees) in wanted.items():
        if not (mentors or mentees):
            raise ValidationError(
                _("Each organisation must contribute mentors, mentees or both."),
                code="contribution",
            )
    old = sorted(
        programme.contributions.values_list(
            "organisation_id", "contributes_mentors", "contributes_mentees"
        )
    )
    programme.contributions.exclude(organisation_id__in=wanted).delete()
    for _org_id, (org, mentors, mentees) in wanted.items():
        ProgrammeOrganisation.objects.update_or_create(
            programme=programme,
            organisation=org,
            defaults={"contributes_mentors": mentors, "contributes_mentees": mentees},
        )
    new = sorted((k, m, e) for k, (_o, m, e) in wanted.items())
    if [tuple(row) for row in old] != new:
        audit_log(
            actor=actor,
            action="programmes.programme.organisations",
            obj=programme,
            programme=programme,
            changes={"organisations": {"old": old, "new": new}},
        )


@transaction.atomic
def programme_copy(
    *, programme: Programme, actor: Any, name: str = "", shift_days: int = 365
) -> Programme:
    """Start the next cohort with the same design: dates move on, participants stay behind."""
    shift = dt.timedelta(days=shift_days)
    values = {name_: getattr(programme, name_) for name_ in PROGRAMME_FIELDS}
    values.update(
        name=name or _("%(name)s (copy)") % {"name": programme.name},
        start_date=programme.start_date + shift if programme.start_date else None,
        end_date=programme.end_date + shift if programme.end_date else None,
        # A new cohort opens its applications when its manager decides to.
        applications_open=False,
    )
    copy = Programme(
        organisation=programme.organisation,
        matching_policy=programme.matching_policy,
        copied_from=programme,
        **values,
    )
    copy.save()
    copy.sponsors.set(programme.sponsors.all())
    copy.managers.set(programme.managers.all())
    for contribution in programme.contributions.all():
        ProgrammeOrganisation.objects.create(
            programme=copy,
            organisation=contribution.organisation,
            contributes_mentors=contribution.contributes_mentors,
            contributes_mentees=contribution.contributes_mentees,
        )
    for touchpoint in programme.touchpoints.all():
        Touchpoint.objects.create(
            programme=copy,
            kind=touchpoint.kind,
            title=touchpoint.title,
            date=touchpoint.date + shift,
        )
    goals_copy(source=programme, target=copy)
    for question in programme.questions.all():
        Question.objects.create(
            programme=copy,
            role=question.role,
            position=question.position,
            text=question.text,
            kind=question.kind,
            choices=question.choices,
            maps_to=question.maps_to,
            required=question.required,
        )
    # Events sit a layer above programmes: they are copied through the reverse relation.
    for event in programme.events.all():
        copy.events.create(
            title=event.title,
            starts_at=event.starts_at + shift,
            place=event.place,
            online_link=event.online_link,
            capacity=event.capacity,
            required_for=event.required_for,
        )
    audit_log(
        actor=actor,
        action="programmes.programme.copy",
        obj=copy,
        programme=copy,
        changes={"copied_from": programme.pk, "name": copy.name},
    )
    return copy
