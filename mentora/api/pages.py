"""The pages where people make and revoke API tokens: their own, in their settings, and
an organisation's, for its administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.accounts.models import Organisation
from mentora.api import access, services
from mentora.api.forms import TokenForm
from mentora.api.models import ApiToken
from mentora.core.confirm import run_confirmed
from mentora.core.messages import run_on_form


def _tokens_page(
    request: HttpRequest, organisation: Organisation | None, tokens: object
) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = None
    if request.method == "POST" and form.is_valid():
        made = run_on_form(
            form,
            services.token_create,
            actor=request.user,
            organisation=organisation,
            **form.cleaned_data,
        )
        if made is not None:
            # Shown on this answer only: the page is not a redirect, so that the token's
            # text is never stored, not even in the session.
            created = made[1]
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"organisation": organisation, "tokens": tokens, "form": form, "created": created},
        status=201 if created else 200,
    )


@login_required
def personal_tokens(request: HttpRequest) -> HttpResponse:
    assert request.user.pk is not None  # login_required
    tokens = ApiToken.objects.filter(user_id=request.user.pk, organisation__isnull=True)
    return _tokens_page(request, None, tokens)


@login_required
@require_POST
def personal_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = access.access_personal_token(request.user, token_id)
    run_confirmed(
        request,
        services.token_revoke,
        token=token,
        actor=request.user,
        success=_("The token was revoked."),
    )
    return redirect("personal_tokens")


@login_required
def organisation_tokens(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation_tokens(request.user, slug)
    tokens = ApiToken.objects.filter(organisation=organisation).select_related("user")
    return _tokens_page(request, organisation, tokens)


@login_required
@require_POST
def organisation_token_revoke(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    token = access.access_organisation_token(request.user, slug, token_id)
    run_confirmed(
        request,
        services.token_revoke,
        token=token,
        actor=request.user,
        success=_("The token was revoked."),
    )
    return redirect("organisation_tokens", slug)
