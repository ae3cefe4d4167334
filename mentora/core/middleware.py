import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

from mentora.core import metrics, request_id

access_log = logging.getLogger("mentora.access")


class RequestIdMiddleware:
    """Gives every request an id (logged with each line it causes, handed on to the tasks
    it enqueues, and returned in `X-Request-ID`), counts it for /metrics, and writes one
    access-log line: method, route, path without the query (a query may hold a search for
    a person's name), status and time taken."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id.accept(request.headers.get("X-Request-ID"))
        token = request_id.bind(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = self.route_of(request)
            metrics.observe_request(
                route=route,
                method=request.method or "",
                status=response.status_code,
                seconds=seconds,
            )
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "route": route,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            response.headers["X-Request-ID"] = rid
            return response
        finally:
            request_id.unbind(token)

    @staticmethod
    def route_of(request: HttpRequest) -> str:
        match = getattr(request, "resolver_match", None)
        if match is not None:
            return match.view_name or "unnamed"
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return "static"
        return "unmatched"


class SecurityHeadersMiddleware:
    """Headers Django 5.2 does not set itself: a content security policy and a
    permissions policy. Admin pages keep their own inline scripts, so they get a
    policy that allows them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class RejectNullCharactersMiddleware:
    """No text a person types contains a NUL character, and PostgreSQL refuses to store
    or search for one: a request that carries one in its query or form fields is answered
    400 before any view sees it. Uploaded files are the readers' business, not checked here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for data in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest("A NUL character in the request.")
        return self.get_response(request)
