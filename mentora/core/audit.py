"""The audit log: every write done through a service calls `audit_log`."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from mentora.core.models import AuditEntry


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, in a form that can be compared and stored."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = getattr(instance, attname)
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Only the fields whose value changed, as {field: {"old": .., "new": ..}}."""
    return {
        name: {"old": before.get(name), "new": after.get(name)}
        for name in after
        if before.get(name) != after.get(name)
    }


def values_check(values: Collection[str], fields: Collection[str], *, what: str) -> None:
    """Refuse a name outside `fields` among the `values` a service was given: a caller's
    mistake, not the user's, so it raises ValueError naming `what` it is not."""
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"Not {what}: {', '.join(sorted(unknown))}")


def values_assign(
    instance: models.Model, values: dict[str, Any], fields: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Set `values` on `instance` without saving it; the `fields` whose value changed, as
    the audit log's changes."""
    before = snapshot(instance, fields)
    for name, value in values.items():
        setattr(instance, name, value)
    return diff(before, snapshot(instance, fields))


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    organisation: Any = None,
    programme: Any = None,
) -> AuditEntry:
    """Record one write: the one audit helper every service calls.

    `action` is a dotted code such as `accounts.membership.grant`. The entry belongs to
    `organisation`, else to the organisation of `programme` (the usual case for anything in
    a programme), else to the object's own organisation. `changes` holds facts (ids,
    dates, counts), never private text."""
    if "." not in action:
        raise ValueError(f"Audit actions are dotted codes, got {action!r}")
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if organisation is None and programme is not None:
        organisation = programme.organisation
    if organisation is None and obj is not None:
        is_organisation = obj._meta.label == "accounts.Organisation"
        organisation = obj if is_organisation else getattr(obj, "organisation", None)
    return AuditEntry.objects.create(
        actor=actor if is_user else None,
        actor_email=actor.email if is_user else "",
        action=action,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        organisation=organisation,
        changes=changes or {},
    )
