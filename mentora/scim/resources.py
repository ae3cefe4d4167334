"""SCIM resources as Mentora keeps them: a person is a User (RFC 7643, section 4.1, with
the enterprise extension of section 4.3), a unit is a Group. What a resource says, what a
client's JSON asks for (checked by the forms), and PATCH operations applied to a resource.

Mentora's data is HR data only: what a pair writes is never part of a resource."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from mentora.accounts.models import Organisation
from mentora.core.forms import parse_id
from mentora.people.models import OrgUnit, Person
from mentora.scim.forms import GroupForm, UserForm
from mentora.scim.protocol import PATCH_SCHEMA, ScimError, unquote, weak_etag

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def version(resource: dict[str, Any]) -> str:
    """A resource's version: a digest of everything it says but its meta."""
    content = {key: value for key, value in resource.items() if key != "meta"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:20]


def _with_meta(
    resource: dict[str, Any], request: HttpRequest, kind: str, route: str, slug: str
) -> dict[str, Any]:
    location = request.build_absolute_uri(reverse(route, args=[slug, resource["id"]]))
    resource["meta"] = {
        "resourceType": kind,
        "location": location,
        "version": weak_etag(version(resource)),
    }
    return resource


def user_resource(person: Person, request: HttpRequest) -> dict[str, Any]:
    """The person as a SCIM User."""
    identity = getattr(person, "scim", None)
    resource: dict[str, Any] = {
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "id": str(person.pk),
        # People from an HR import are known by their e-mail address until a client names them.
        "userName": identity.user_name if identity else (person.email or person.employee_id),
        "name": {
            "givenName": person.first_name,
            "familyName": person.last_name,
            "formatted": person.full_name,
        },
        "displayName": person.full_name,
        "active": person.leave_date is None,
    }
    if identity and identity.external_id:
        resource["externalId"] = identity.external_id
    if person.job_title:
        resource["title"] = person.job_title
    if person.email:
        resource["emails"] = [{"value": person.email, "type": "work", "primary": True}]
    if person.org_unit_id:
        resource["groups"] = [{"value": str(person.org_unit_id), "type": "direct"}]
    enterprise: dict[str, Any] = {"employeeNumber": person.employee_id}
    if person.manager_id:
        enterprise["manager"] = {"value": str(person.manager_id)}
    resource[ENTERPRISE_SCHEMA] = enterprise
    return _with_meta(resource, request, "User", "scim_user", person.organisation.slug)


def group_resource(unit: OrgUnit, request: HttpRequest, *, members: bool = True) -> dict[str, Any]:
    """The unit as a SCIM Group, with the people in it as its members."""
    resource: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "id": str(unit.pk),
        "displayName": unit.name,
    }
    if members:
        resource["members"] = [
            {"value": str(pk), "display": f"{first} {last}".strip(), "type": "User"}
            for pk, first, last in unit.people.order_by("pk").values_list(
                "pk", "first_name", "last_name"
            )
        ]
    slug = unit.organisation.slug
    return _with_meta(resource, request, "Group", "scim_group", slug)


def _get(container: Any, name: str) -> Any:
    """An attribute by its name in any case: SCIM attribute names are case-insensitive."""
    if not isinstance(container, dict):
        return None
    for key, value in container.items():
        if key.lower() == name.lower():
            return value
    return None


def _primary_email(emails: Any) -> Any:
    if not isinstance(emails, list) or not emails:
        return ""
    chosen = next((e for e in emails if isinstance(e, dict) and _get(e, "primary") is True), None)
    chosen = chosen or next(
        (e for e in emails if isinstance(e, dict) and _get(e, "type") == "work"), emails[0]
    )
    return _get(chosen, "value") if isinstance(chosen, dict) else ""


def _text(value: Any) -> Any:
    """A string as it is; anything else (a number, a list) is refused by the form."""
    if value is None:
        return ""
    return value if isinstance(value, str | bool) else json.dumps(value)


def _refusal(form: Any) -> ScimError:
    parts = [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
    return ScimError(400, "; ".join(parts), "invalidValue")


@dataclass
class UserData:
    user_name: str
    external_id: str
    first_name: str
    last_name: str
    email: str
    job_title: str
    # None: as it is (a new person is active).
    active: bool | None
    employee_id: str
    manager: Person | None


def user_data(resource: dict[str, Any], organisation: Organisation) -> UserData:
    """A client's User, checked: a 400 in the SCIM format names each problem."""
    if not isinstance(resource, dict):
        raise ScimError(400, _("The body must be a JSON object."), "invalidSyntax")
    name = _get(resource, "name") or {}
    enterprise = _get(resource, ENTERPRISE_SCHEMA) or {}
    manager = _get(enterprise, "manager")
    if isinstance(manager, dict):
        manager = _get(manager, "value")
    form = UserForm(
        {
            "userName": _text(_get(resource, "userName")),
            "externalId": _text(_get(resource, "externalId")),
            "givenName": _text(_get(name, "givenName")),
            "familyName": _text(_get(name, "familyName")),
            "displayName": _text(_get(resource, "displayName")),
            "email": _text(_primary_email(_get(resource, "emails"))),
            "title": _text(_get(resource, "title")),
            "active": _get(resource, "active"),
            "employeeNumber": _text(_get(enterprise, "employeeNumber")),
            "manager": _text(manager),
        }
    )
    if not form.is_valid():
        raise _refusal(form)
    data = form.cleaned_data
    first, last = data["givenName"], data["familyName"]
    if not first and not last:
        # A client that sends no name parts: the display name, else the user name.
        first, _sep, last = (data["displayName"] or data["userName"]).partition(" ")
    boss = None
    if data["manager"]:
        pk = parse_id(data["manager"])
        boss = Person.objects.filter(pk=pk, organisation=organisation).first() if pk else None
        if boss is None:
            raise ScimError(400, _("manager: no such user."), "invalidValue")
    return UserData(
        user_name=data["userName"],
        external_id=data["externalId"],
        first_name=first[:100],
        last_name=last[:100],
        email=data["email"].lower(),
        job_title=data["title"],
        active=data["active"],
        # Without an employee number, the user name is the employee id.
        employee_id=data["employeeNumber"] or data["userName"][:64],
        manager=boss,
    )


@dataclass
class GroupData:
    name: str
    members: list[Person] | None


def member_people(values: Any, organisation: Organisation) -> list[Person]:
    """The people a list of members (`[{"value": id}]`) names; 400 for anyone unknown."""
    if not isinstance(values, list):
        values = [values]
    ids = []
    for member in values:
        value = _get(member, "value") if isinstance(member, dict) else member
        pk = parse_id(value)
        if pk is None:
            raise ScimError(400, _("members: each member needs the id of a user."), "invalidValue")
        ids.append(pk)
    people = list(Person.objects.filter(organisation=organisation, pk__in=ids))
    if len(people) != len(set(ids)):
        raise ScimError(400, _("members: no such user."), "invalidValue")
    return people


def group_data(resource: dict[str, Any], organisation: Organisation) -> GroupData:
    form = GroupForm({"displayName": _text(_get(resource, "displayName"))})
    if not form.is_valid():
        raise _refusal(form)
    members = _get(resource, "members")
    people = None if members is None else member_people(members, organisation)
    return GroupData(name=form.cleaned_data["displayName"], members=people)


# PATCH (RFC 7644, section 3.5.2) -------------------------------------------------------

# `attribute[filter].sub`, `attribute.sub` or `attribute`.
PATH = re.compile(r"^(?P<attr>[\w$]+)(?:\[(?P<filter>[^\]]*)\])?(?:\.(?P<sub>[\w$]+))?$")
FILTER = re.compile(r'^\s*(\w+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def patch_operations(body: dict[str, Any]) -> list[tuple[str, str | None, Any]]:
    """(op, path, value) of each operation of a PatchOp request, checked."""
    if PATCH_SCHEMA not in (body.get("schemas") or []):
        raise ScimError(400, _("A PATCH request needs the PatchOp schema."), "invalidSyntax")
    operations = _get(body, "Operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, _("A PATCH request needs a list of operations."), "invalidSyntax")
    checked = []
    for operation in operations:
        op = str(_get(operation, "op") or "").lower()
        path = _get(operation, "path")
        if op not in {"add", "replace", "remove"}:
            raise ScimError(400, _("Each operation is add, replace or remove."), "invalidSyntax")
        if path is not None and not isinstance(path, str):
            raise ScimError(400, _("A path must be a string."), "invalidPath")
        if op == "remove" and not path:
            raise ScimError(400, _("A remove operation needs a path."), "noTarget")
        if op != "remove" and "value" not in {key.lower() for key in operation}:
            raise ScimError(400, _("An add or replace operation needs a value."), "invalidValue")
        checked.append((op, path or None, _get(operation, "value")))
    return checked


def _key(container: dict[str, Any], name: str) -> str:
    """The key under which `container` holds `name`, whatever its case."""
    return next((key for key in container if key.lower() == name.lower()), name)


def _split_schema(path: str) -> tuple[str | None, str]:
    """(schema URN or None, the path within it)."""
    for schema in (ENTERPRISE_SCHEMA, USER_SCHEMA, GROUP_SCHEMA):
        if path.lower().startswith(schema.lower() + ":"):
            return schema, path[len(schema) + 1 :]
    return None, path


def apply_patch(resource: dict[str, Any], op: str, path: str | None, value: Any) -> None:
    """Apply one operation to a resource as JSON; the result is then checked whole."""
    if path is None:
        if not isinstance(value, dict):
            raise ScimError(400, _("An operation without a path needs an object."), "invalidValue")
        for name, item in value.items():
            apply_patch(resource, op, name, item)
        return
    schema, inner = _split_schema(path)
    container = resource
    if schema == ENTERPRISE_SCHEMA:
        container = resource.setdefault(_key(resource, ENTERPRISE_SCHEMA), {})
    elif schema is None and ":" in inner:
        raise ScimError(400, _("Unknown attribute path."), "invalidPath")
    match = PATH.match(inner)
    if match is None:
        raise ScimError(400, _("Unknown attribute path."), "invalidPath")
    attr, condition, sub = match.group("attr", "filter", "sub")
    key = _key(container, attr)
    if condition is not None:
        _apply_filtered(container, key, condition, sub, op, value)
    elif sub:
        parent = container.setdefault(key, {})
        if not isinstance(parent, dict):
            raise ScimError(400, _("Unknown attribute path."), "invalidPath")
        if op == "remove":
            parent.pop(_key(parent, sub), None)
        else:
            parent[_key(parent, sub)] = value
    elif op == "remove":
        container.pop(key, None)
    elif op == "add" and isinstance(container.get(key), list) and isinstance(value, list):
        container[key] = [*container[key], *value]
    elif op == "add" and isinstance(container.get(key), dict) and isinstance(value, dict):
        container[key].update(value)
    else:
        container[key] = value


def _apply_filtered(
    container: dict[str, Any], key: str, condition: str, sub: str | None, op: str, value: Any
) -> None:
    """`emails[type eq "work"].value` and the like: the elements the filter selects."""
    found = FILTER.match(condition)
    if found is None:
        raise ScimError(400, _("Only eq filters are supported in a path."), "invalidFilter")
    field, wanted = found.group(1), unquote(found.group(2))
    if wanted is None:
        raise ScimError(400, _("Only eq filters are supported in a path."), "invalidFilter")
    items = container.get(key) or []
    if not isinstance(items, list):
        raise ScimError(400, _("Unknown attribute path."), "invalidPath")

    def selected(item: Any) -> bool:
        return isinstance(item, dict) and str(_get(item, field)) == wanted

    if op == "remove" and not sub:
        container[key] = [item for item in items if not selected(item)]
        return
    chosen = [item for item in items if selected(item)]
    if not chosen:
        if op == "remove":
            return
        chosen = [{field: wanted}]
        items.append(chosen[0])
    for item in chosen:
        if sub and op == "remove":
            item.pop(_key(item, sub), None)
        elif sub:
            item[_key(item, sub)] = value
        elif isinstance(value, dict):
            item.update(value)
    container[key] = items
