from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentora.accounts.access import is_staff_somewhere
from mentora.core.tables import Column, sort_table
from mentora.core.timeline import Event
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
    sample = [
        SimpleNamespace(pk=1, name="Astrid Nørgaard", held=4, last=dt.date(2027, 3, 2)),
        SimpleNamespace(pk=2, name="Bo Hansen", held=1, last=dt.date(2027, 1, 19)),
        SimpleNamespace(pk=3, name="Carla Jensen", held=6, last=dt.date(2027, 3, 20)),
    ]
    timeline = [
        Event(at=dt.date(2027, 1, 4), label=_("Invited"), tone="info", who="Astrid Nørgaard"),
        Event(at=dt.date(2027, 1, 9), label=_("Applied"), tone="info"),
        Event(
            at=dt.date(2027, 1, 20),
            label=_("Approved"),
            tone="ok",
            who="Astrid Nørgaard",
            text=_("A fine match for the sales track."),
        ),
    ]
    return render(
        request,
        "home/design.html",
        {
            "table": sort_table(request, sample, DESIGN_COLUMNS, default="name"),
            "timeline": timeline,
        },
    )


# The living style page's sample table.
DESIGN_COLUMNS = [
    Column("name", gettext_lazy("Name"), value=lambda row: row.name),
    Column("held", gettext_lazy("Meetings held"), value=lambda row: row.held),
    Column("last", gettext_lazy("Last met"), value=lambda row: row.last),
]
