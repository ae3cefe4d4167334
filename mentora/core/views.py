from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mentora.accounts.access import access_audit_log
from mentora.accounts.dashboard import dashboard_for
from mentora.core.health import health_report
from mentora.core.models import AuditEntry


def home(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard" if request.user.is_authenticated else "login")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "core/dashboard.html", {"dashboard": dashboard_for(request.user)})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    healthy = report["database"] == "ok" and report["worker"] == "ok"
    return JsonResponse(report, status=200 if healthy else 503)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    access_audit_log(request.user)
    entries = AuditEntry.objects.select_related("object_type", "organisation")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(actor_email__icontains=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "action": action, "actor": actor})
