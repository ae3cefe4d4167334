from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mentora.accounts.access import is_staff_somewhere
from mentora.home.dashboard import dashboard_for


def home(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard" if request.user.is_authenticated else "login")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "home/dashboard.html", {"dashboard": dashboard_for(request.user)})


@login_required
def design_system(request: HttpRequest) -> HttpResponse:
    """The living style page: every component as it renders, for those who build pages
    (platform admins, and organisation admins and programme managers)."""
    if not is_staff_somewhere(request.user):
        raise PermissionDenied
    return render(request, "home/design.html")
