"""The SCIM 2.0 API of an organisation (RFC 7644) and the page where its admins manage the
bearer tokens. API views parse through the forms, reach rows through `access`, and change
them through `services`, like every page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from mentora.accounts.access import access_organisation_staff_area, is_organisation_admin
from mentora.accounts.models import Organisation
from mentora.core.confirm import run_confirmed
from mentora.core.messages import run_on_form
from mentora.people.models import OrgUnit, Person
from mentora.scim import discovery, services
from mentora.scim.access import (
    access_scim_organisation,
    access_scim_person,
    access_scim_token,
    access_scim_unit,
)
from mentora.scim.forms import ListForm, TokenForm
from mentora.scim.protocol import (
    ScimError,
    list_response,
    matches_etag,
    parse_eq_filter,
    read_body,
    scim_response,
)
from mentora.scim.resources import (
    ENTERPRISE_SCHEMA,
    apply_patch,
    group_data,
    group_resource,
    member_people,
    patch_operations,
    user_data,
    user_resource,
    version,
)

View = Callable[..., HttpResponse]


def scim_view(*methods: str) -> Callable[[View], View]:
    """An API view: token-free of CSRF (it takes no cookies), and every refusal answered in
    the SCIM error format."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise ScimError(405, _("This method is not supported here."))
                return view(request, *args, **kwargs)
            except ScimError as error:
                return error.response()
            except Http404:
                return ScimError(404, _("No such resource.")).response()
            except ValidationError as error:
                unique = getattr(error, "code", None) == "unique"
                return ScimError(
                    409 if unique else 400,
                    " ".join(error.messages),
                    "uniqueness" if unique else "invalidValue",
                ).response()

        return wrapper

    return decorate


def _one(resource: dict[str, Any], *, status: int = 200) -> HttpResponse:
    response = scim_response(resource, status=status)
    response["ETag"] = resource["meta"]["version"]
    if status == 201:
        response["Location"] = resource["meta"]["location"]
    return response


def _check_version(request: HttpRequest, resource: dict[str, Any]) -> None:
    """412 when If-Match names another version than the current one."""
    wanted = request.headers.get("If-Match")
    if wanted is not None and not matches_etag(wanted, version(resource)):
        raise ScimError(412, _("The resource changed since that version was read."))


def _listed(
    request: HttpRequest, rows: Any, filters: dict[str, Callable[[str], Q]]
) -> tuple[list[Any], int, int, ListForm]:
    """The rows a list request filters on, and its page."""
    form = ListForm(request.GET)
    if not form.is_valid():
        raise ScimError(400, _("startIndex and count must be whole numbers."), "invalidValue")
    text = form.cleaned_data["filter"]
    if text:
        parsed = parse_eq_filter(text)
        lookup = filters.get(parsed[0].lower()) if parsed else None
        if parsed is None or lookup is None:
            raise ScimError(400, _("This filter is not supported."), "invalidFilter")
        rows = rows.filter(lookup(parsed[1]))
    start, count = form.page()
    total = rows.count()
    return list(rows[start - 1 : start - 1 + count]), total, start, form


# Discovery (RFC 7644, section 4) ---------------------------------------------------------


@scim_view("GET")
def service_provider_config(request: HttpRequest, slug: str) -> HttpResponse:
    access_scim_organisation(request, slug)
    return scim_response(discovery.service_provider_config(request, slug))


@scim_view("GET")
def resource_types(request: HttpRequest, slug: str) -> HttpResponse:
    access_scim_organisation(request, slug)
    found = discovery.resource_types(request, slug)
    return list_response(found, total=len(found), start=1)


@scim_view("GET")
def schemas(request: HttpRequest, slug: str) -> HttpResponse:
    access_scim_organisation(request, slug)
    found = discovery.schemas(request, slug)
    return list_response(found, total=len(found), start=1)


# Users -----------------------------------------------------------------------------------

USER_FILTERS: dict[str, Callable[[str], Q]] = {
    # People from an HR import are found by their e-mail address until a client names them.
    "username": lambda value: (
        Q(scim__user_name__iexact=value) | Q(scim__isnull=True, email__iexact=value)
    ),
    "externalid": lambda value: Q(scim__external_id=value),
    "employeenumber": lambda value: Q(employee_id=value),
    f"{ENTERPRISE_SCHEMA}:employeenumber".lower(): lambda value: Q(employee_id=value),
}


@scim_view("GET", "POST")
def users(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, actor = access_scim_organisation(request, slug)
    if request.method == "POST":
        data = user_data(read_body(request, _("The body must be a JSON object.")), organisation)
        person = services.scim_user_create(organisation=organisation, data=data, actor=actor)
        return _one(user_resource(person, request), status=201)
    rows = Person.objects.filter(organisation=organisation).select_related("scim", "organisation")
    found, total, start, _form = _listed(request, rows.order_by("pk"), USER_FILTERS)
    return list_response(
        [user_resource(person, request) for person in found], total=total, start=start
    )


@scim_view("GET", "PUT", "PATCH", "DELETE")
def user(request: HttpRequest, slug: str, person_id: str) -> HttpResponse:
    organisation, actor = access_scim_organisation(request, slug)
    if request.method == "GET":
        resource = user_resource(access_scim_person(organisation, person_id), request)
        wanted = request.headers.get("If-None-Match")
        if wanted is not None and matches_etag(wanted, version(resource)):
            response = HttpResponse(status=304)
            response["ETag"] = resource["meta"]["version"]
            return response
        return _one(resource)
    with transaction.atomic():
        person = access_scim_person(organisation, person_id, for_update=True)
        current = user_resource(person, request)
        _check_version(request, current)
        if request.method == "DELETE":
            services.scim_user_deactivate(person=person, actor=actor)
            return HttpResponse(status=204)
        body = read_body(request, _("The body must be a JSON object."))
        if request.method == "PATCH":
            for op, path, value in patch_operations(body):
                apply_patch(current, op, path, value)
            body = current
        data = user_data(body, organisation)
        services.scim_user_replace(person=person, data=data, actor=actor)
    return _one(user_resource(person, request))


# Groups ----------------------------------------------------------------------------------

GROUP_FILTERS: dict[str, Callable[[str], Q]] = {
    "displayname": lambda value: Q(name__iexact=value),
}


def _with_members(form: ListForm) -> bool:
    """Whether a list shows the members: identity providers leave them out to go faster."""
    excluded = form.cleaned_data["excludedAttributes"]
    return "members" not in {part.strip().lower() for part in excluded.split(",")}


@scim_view("GET", "POST")
def groups(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, actor = access_scim_organisation(request, slug)
    if request.method == "POST":
        data = group_data(read_body(request, _("The body must be a JSON object.")), organisation)
        unit = services.scim_group_create(organisation=organisation, data=data, actor=actor)
        return _one(group_resource(unit, request), status=201)
    rows = OrgUnit.objects.filter(organisation=organisation).select_related("organisation")
    found, total, start, form = _listed(request, rows.order_by("pk"), GROUP_FILTERS)
    members = _with_members(form)
    return list_response(
        [group_resource(unit, request, members=members) for unit in found],
        total=total,
        start=start,
    )


@scim_view("GET", "PUT", "PATCH", "DELETE")
def group(request: HttpRequest, slug: str, unit_id: str) -> HttpResponse:
    organisation, actor = access_scim_organisation(request, slug)
    if request.method == "GET":
        unit = access_scim_unit(organisation, unit_id)
        return _one(group_resource(unit, request))
    with transaction.atomic():
        unit = access_scim_unit(organisation, unit_id, for_update=True)
        _check_version(request, group_resource(unit, request))
        if request.method == "DELETE":
            services.scim_group_delete(unit=unit, actor=actor)
            return HttpResponse(status=204)
        body = read_body(request, _("The body must be a JSON object."))
        if request.method == "PUT":
            data = group_data(body, organisation)
            services.scim_group_update(
                unit=unit, actor=actor, name=data.name, members=data.members or []
            )
        else:
            _patch_group(unit, body, organisation, actor)
    return _one(group_resource(unit, request))


def _patch_group(
    unit: OrgUnit, body: dict[str, Any], organisation: Organisation, actor: Any
) -> None:
    """Members added, removed or replaced, and the name replaced, as the operations say."""
    for op, path, value in patch_operations(body):
        target = (path or "").strip()
        if not target and isinstance(value, dict):
            for name, item in value.items():
                _patch_group_path(unit, op, name, item, organisation, actor)
        else:
            _patch_group_path(unit, op, target, value, organisation, actor)


def _patch_group_path(
    unit: OrgUnit, op: str, path: str, value: Any, organisation: Organisation, actor: Any
) -> None:
    lowered = path.lower()
    if lowered == "displayname" and op != "remove":
        data = group_data({"displayName": value}, organisation)
        services.scim_group_update(unit=unit, actor=actor, name=data.name)
    elif lowered == "members":
        people = [] if value is None else member_people(value, organisation)
        if op == "add":
            services.scim_group_update(unit=unit, actor=actor, add=people)
        elif op == "replace":
            services.scim_group_update(unit=unit, actor=actor, members=people)
        elif value is None:
            services.scim_group_update(unit=unit, actor=actor, members=[])
        else:
            services.scim_group_update(unit=unit, actor=actor, remove=people)
    elif lowered.startswith("members[") and op == "remove":
        parsed = parse_eq_filter(path[len("members[") :].rstrip("]"))
        if parsed is None or parsed[0].lower() != "value":
            raise ScimError(400, _('Only members[value eq "id"] is supported.'), "invalidFilter")
        people = member_people([parsed[1]], organisation)
        services.scim_group_update(unit=unit, actor=actor, remove=people)
    else:
        raise ScimError(400, _("Unknown attribute path."), "invalidPath")


# The tokens page -------------------------------------------------------------------------


@login_required
def tokens(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's SCIM tokens: staff see them, organisation admins create them
    (the secret is shown once, on the answer to the POST) and revoke them."""
    organisation = access_organisation_staff_area(
        request.user, slug, write=request.method == "POST"
    )
    form = TokenForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        created = None
        if form.is_valid():
            created = run_on_form(
                form,
                services.token_create,
                organisation=organisation,
                actor=request.user,
                **form.cleaned_data,
            )
        if created is None:
            status = 400
        else:
            # Created, and shown on this answer only (never stored, not even in the session).
            secret = created[1]
            form = TokenForm()
            status = 201
    return render(
        request,
        "scim/tokens.html",
        {
            "organisation": organisation,
            "tokens": organisation.scim_tokens.select_related("created_by"),
            "form": form,
            "secret": secret,
            "can_change": is_organisation_admin(request.user, organisation),
            "base_url": request.build_absolute_uri(reverse("scim_users", args=[slug])).removesuffix(
                "Users"
            ),
        },
        status=status,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    token = access_scim_token(request.user, slug, token_id)
    run_confirmed(
        request,
        services.token_revoke,
        token=token,
        actor=request.user,
        success=_("The token was revoked; it no longer works."),
    )
    return redirect("scim_tokens", slug=slug)
