"""The SCIM 2.0 protocol's envelope (RFC 7644): its media type, its error format, list
responses and the filters Mentora understands. Nothing here knows about people."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse

MEDIA_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
# The largest page a client may ask for; the service provider config says so too.
MAX_RESULTS = 200
# A request body larger than this is refused before it is read as JSON.
MAX_BODY_BYTES = 1024 * 1024


class ScimError(Exception):
    """A refusal in the SCIM error format (RFC 7644, section 3.12)."""

    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def response(self) -> HttpResponse:
        body: dict[str, Any] = {
            "schemas": [ERROR_SCHEMA],
            "status": str(self.status),
            "detail": self.detail,
        }
        if self.scim_type:
            body["scimType"] = self.scim_type
        response = scim_response(body, status=self.status)
        if self.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
        return response


def scim_response(body: dict[str, Any] | None, *, status: int = 200) -> HttpResponse:
    content = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    return HttpResponse(content, status=status, content_type=MEDIA_TYPE)


def read_body(request: HttpRequest, invalid: str) -> dict[str, Any]:
    """The request's JSON object, or a 400 with `invalid` as its detail."""
    if len(request.body) > MAX_BODY_BYTES:
        raise ScimError(413, invalid, "tooMany")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ScimError(400, invalid, "invalidSyntax") from None
    if not isinstance(body, dict):
        raise ScimError(400, invalid, "invalidSyntax")
    return body


def list_response(resources: list[dict[str, Any]], *, total: int, start: int) -> HttpResponse:
    return scim_response(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


# `attribute eq "value"`: the one filter identity providers send to find a resource.
EQ_FILTER = re.compile(r'^\s*([A-Za-z][\w.:]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def parse_eq_filter(text: str) -> tuple[str, str] | None:
    """(attribute, value) of an `eq` filter, or None when it is another kind of filter."""
    match = EQ_FILTER.match(text)
    if match is None:
        return None
    value = unquote(match.group(2))
    return None if value is None else (match.group(1), value)


def unquote(escaped: str) -> str | None:
    """The value of a quoted string of a filter, or None when its escapes are not JSON's."""
    try:
        value = json.loads(f'"{escaped}"')
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def weak_etag(version: str) -> str:
    return f'W/"{version}"'


def matches_etag(header: str, version: str) -> bool:
    """Whether an If-Match or If-None-Match header names this version (or `*`)."""
    wanted = {part.strip() for part in header.split(",")}
    return "*" in wanted or weak_etag(version) in wanted or f'"{version}"' in wanted
