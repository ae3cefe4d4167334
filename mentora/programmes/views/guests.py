"""Guests: people outside the HR data invited into a programme, or applying through its
public link, and the page where a guest accepts and chooses a password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.messages import attempt, run_on_form
from mentora.programmes import access
from mentora.programmes.forms import GuestAcceptForm, GuestForm
from mentora.programmes.guest_models import GuestStatus
from mentora.programmes.services import guests

BACKEND = "django.contrib.auth.backends.ModelBackend"


@login_required
def programme_guests(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The programme's guests and applications from outside the HR data; those who run
    the programme invite, approve and decline here."""
    write = request.method == "POST"
    programme = access.access_programme(request.user, programme_id, write=write)
    can_manage = access.can_manage_programme(request.user, programme)
    form = GuestForm(request.POST or None, initial={"language": get_language()})
    if write and form.is_valid():
        guest = run_on_form(
            form, guests.guest_invite, programme=programme, actor=request.user, **form.cleaned_data
        )
        if guest is not None:
            messages.success(request, _("%(email)s was invited as a guest.") % form.cleaned_data)
            return redirect("programme_guests", programme_id=programme.pk)
    return render(
        request,
        "programmes/guests.html",
        {
            "programme": programme,
            "can_manage": can_manage,
            "form": form if can_manage else None,
            "waiting": programme.guests.filter(status=GuestStatus.APPLIED),
            "others": programme.guests.exclude(status=GuestStatus.APPLIED),
        },
        status=400 if write else 200,
    )


@login_required
@require_POST
def guest_approve(request: HttpRequest, programme_id: int, guest_id: int) -> HttpResponse:
    guest = access.access_guest(request.user, programme_id, guest_id)
    attempt(
        request,
        guests.guest_approve,
        guest=guest,
        actor=request.user,
        success=_("Approved: an invitation was sent."),
    )
    return redirect("programme_guests", programme_id=programme_id)


@login_required
@require_POST
def guest_decline(request: HttpRequest, programme_id: int, guest_id: int) -> HttpResponse:
    guest = access.access_guest(request.user, programme_id, guest_id)
    attempt(
        request,
        guests.guest_decline,
        guest=guest,
        actor=request.user,
        success=_("The application was declined."),
    )
    return redirect("programme_guests", programme_id=programme_id)


def guest_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a guest's invitation: choose a password, and the account is made."""
    guest = access.access_guest_by_token(token)
    form = GuestAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = run_on_form(
            form,
            guests.guest_accept,
            guest=guest,
            password=form.cleaned_data["password"],
            viewer=request.user if request.user.is_authenticated else None,
        )
        if user is not None:
            login(request, user, backend=BACKEND)
            return redirect("my_programmes")
    return render(
        request,
        "programmes/guest_accept.html",
        {"guest": guest, "programme": guest.programme, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def programme_guest_apply(request: HttpRequest, token: str) -> HttpResponse:
    """The programme's public application link, for someone with no HR record (an
    alumnus, a volunteer, an expert): the programme team approves or declines."""
    programme = access.access_programme_for_guests(token)
    form = GuestForm(request.POST or None, initial={"language": get_language()})
    if request.method == "POST" and form.is_valid():
        guest = run_on_form(form, guests.guest_apply, programme=programme, **form.cleaned_data)
        if guest is not None:
            return render(
                request, "programmes/guest_apply.html", {"programme": programme, "sent": True}
            )
    return render(
        request,
        "programmes/guest_apply.html",
        {"programme": programme, "form": form},
        status=400 if request.method == "POST" else 200,
    )
