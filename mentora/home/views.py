from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mentora.home.dashboard import dashboard_for


def home(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard" if request.user.is_authenticated else "login")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "home/dashboard.html", {"dashboard": dashboard_for(request.user)})
