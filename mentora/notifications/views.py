from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.messages import attempt, refusal
from mentora.notifications import services
from mentora.notifications.access import access_notification
from mentora.notifications.forms import PreferencesForm
from mentora.notifications.models import Notification

PER_PAGE = 25


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notifications, newest first."""
    assert request.user.pk is not None
    notifications = Notification.objects.filter(user_id=request.user.pk)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notification_inbox")


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one notification read and go where it asks the person to act."""
    notification = access_notification(request.user, notification_id)
    services.notifications_mark_read(user=request.user, notification=notification)
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.link)
    return redirect("notification_inbox")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    current = services.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST":
        if not form.is_valid():
            refusal(request, form)
        elif attempt(
            request,
            services.preferences_update,
            success=_("Your notification settings were saved."),
            user=request.user,
            actor=request.user,
            channels=form.chosen(),
        ):
            return redirect("notification_preferences")
    return render(request, "notifications/preferences.html", {"form": form})
