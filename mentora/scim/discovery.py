"""What the API tells a client about itself (RFC 7644, section 4): the service provider
config, the resource types and the schemas of the attributes Mentora keeps."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from mentora.scim.protocol import MAX_RESULTS
from mentora.scim.resources import ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA

CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def _url(request: HttpRequest, route: str, slug: str) -> str:
    return request.build_absolute_uri(reverse(route, args=[slug]))


def service_provider_config(request: HttpRequest, slug: str) -> dict[str, Any]:
    return {
        "schemas": [CONFIG_SCHEMA],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token an organisation admin creates on the SCIM page.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": _url(request, "scim_service_provider_config", slug),
        },
    }


def resource_types(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    location = _url(request, "scim_resource_types", slug)
    return [
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A person in the organisation's directory",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{location}/User"},
        },
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "A unit of the organisation",
            "schema": GROUP_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": f"{location}/Group"},
        },
    ]


def _attribute(name: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    attribute = {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    }
    attribute.update(extra)
    return attribute


def _value_list(name: str, **extra: Any) -> dict[str, Any]:
    return _attribute(
        name,
        "complex",
        multiValued=True,
        subAttributes=[_attribute("value"), _attribute("display", mutability="readOnly")],
        **extra,
    )


def schemas(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    location = _url(request, "scim_schemas", slug)
    user = [
        _attribute("userName", required=True, uniqueness="server"),
        _attribute("externalId", caseExact=True),
        _attribute(
            "name",
            "complex",
            subAttributes=[_attribute("givenName"), _attribute("familyName")],
        ),
        _attribute("displayName", mutability="readOnly"),
        _attribute("title"),
        _attribute(
            "emails",
            "complex",
            multiValued=True,
            subAttributes=[
                _attribute("value"),
                _attribute("type"),
                _attribute("primary", "boolean"),
            ],
        ),
        _attribute("active", "boolean"),
        _value_list("groups", mutability="readOnly"),
    ]
    enterprise = [
        _attribute("employeeNumber"),
        _attribute("manager", "complex", subAttributes=[_attribute("value")]),
    ]
    group = [_attribute("displayName", required=True), _value_list("members")]
    found = []
    for schema_id, name, attributes in (
        (USER_SCHEMA, "User", user),
        (ENTERPRISE_SCHEMA, "EnterpriseUser", enterprise),
        (GROUP_SCHEMA, "Group", group),
    ):
        found.append(
            {
                "schemas": [SCHEMA_SCHEMA],
                "id": schema_id,
                "name": name,
                "attributes": attributes,
                "meta": {"resourceType": "Schema", "location": f"{location}/{schema_id}"},
            }
        )
    return found
