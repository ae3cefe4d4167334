from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.accounts.access import is_organisation_admin
from mentora.core.confirm import run_confirmed
from mentora.core.messages import attempt, run_on_form
from mentora.webhooks import access, services
from mentora.webhooks.forms import WebhookForm

# How many deliveries the log page shows, newest first.
LOG_LENGTH = 50


@login_required
def webhook_list(request: HttpRequest, slug: str) -> HttpResponse:
    writing = request.method == "POST"
    organisation = access.access_webhooks(request.user, slug, write=writing)
    form = WebhookForm(request.POST if writing else None)
    if writing and form.is_valid():
        webhook = run_on_form(
            form,
            services.webhook_create,
            organisation=organisation,
            actor=request.user,
            **form.cleaned_data,
        )
        if webhook is not None:
            return redirect("webhook_detail", slug, webhook.pk)
    can_change = is_organisation_admin(request.user, organisation)
    return render(
        request,
        "webhooks/list.html",
        {
            "organisation": organisation,
            "webhooks": organisation.webhooks.all(),
            "form": form if can_change else None,
        },
    )


@login_required
def webhook_detail(request: HttpRequest, slug: str, webhook_id: int) -> HttpResponse:
    webhook = access.access_webhook(request.user, slug, webhook_id)
    can_change = is_organisation_admin(request.user, webhook.organisation)
    return render(
        request,
        "webhooks/detail.html",
        {
            "organisation": webhook.organisation,
            "webhook": webhook,
            "deliveries": webhook.deliveries.all()[:LOG_LENGTH],
            "can_change": can_change,
        },
    )


@login_required
@require_POST
def webhook_test(request: HttpRequest, slug: str, webhook_id: int) -> HttpResponse:
    webhook = access.access_webhook(request.user, slug, webhook_id, write=True)
    attempt(
        request,
        services.webhook_send_test,
        webhook=webhook,
        actor=request.user,
        success=_("A test event is on its way; its delivery appears in the log below."),
    )
    return redirect("webhook_detail", slug, webhook.pk)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, slug: str, webhook_id: int) -> HttpResponse:
    webhook = access.access_webhook(request.user, slug, webhook_id, write=True)
    run_confirmed(
        request,
        services.webhook_delete,
        webhook=webhook,
        actor=request.user,
        success=_("The webhook was removed."),
    )
    return redirect("webhook_list", slug)
