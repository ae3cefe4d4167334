from __future__ import annotations

import logging
import secrets
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as django_server_error
from django.views.generic import RedirectView

from mentora.core import metrics as metrics_module
from mentora.core.health import health_report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    healthy = report["database"] == "ok" and report["worker"] == "ok"
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics for a scraper holding `METRICS_TOKEN`; to anyone else, nothing
    (the same 404 as a missing page, so the endpoint does not announce itself)."""
    expected = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if (
        not expected
        or scheme.lower() != "bearer"
        or not secrets.compare_digest(given.strip().encode(), expected.encode())
    ):
        raise Http404
    return HttpResponse(metrics_module.render(), content_type=metrics_module.CONTENT_TYPE)


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages without a link to the icon (error pages).
    The address is looked up per request: in production it carries the file's hash, which
    exists only once `collectstatic` has run."""

    permanent = True

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("img/favicon.svg")


def server_error(request: HttpRequest) -> HttpResponse:
    """The page for an error no view handled. While the database cannot be reached
    (restarted, failing over), it is a friendly 503 asking to try again shortly, with
    `Retry-After` for clients and proxies, never a traceback; rendered without the
    request's context, whose processors would ask the database. Anything else is the
    usual 500 page."""
    exception = sys.exc_info()[1]
    if not isinstance(exception, (OperationalError, InterfaceError)):
        return django_server_error(request)
    logging.getLogger("mentora.database").warning(
        "The database is unavailable: %s", type(exception).__name__
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    response = HttpResponse(render_to_string("503.html", {"LANGUAGE_CODE": language}), status=503)
    response.headers["Retry-After"] = "10"
    return response
