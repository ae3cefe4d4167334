"""Signing in through an organisation's own identity provider, and its settings page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from mentora.accounts.access import is_organisation_admin
from mentora.accounts.forms import LoginForm, SsoStartForm
from mentora.accounts.models import IdentityProvider, SsoProtocol, identity_provider_for
from mentora.core.messages import run_on_form
from mentora.sso import oidc, saml, services
from mentora.sso.access import access_identity_provider
from mentora.sso.forms import IdentityProviderForm, OidcCallbackForm, SamlResponseForm
from mentora.sso.services import SsoRefusal

SESSION_OIDC = "sso_oidc"
BACKEND = "django.contrib.auth.backends.ModelBackend"

# What the person is told when a sign-in is refused: plainly, without blaming them.
REFUSALS = {
    "unknown": gettext_lazy(
        "Your organisation confirmed who you are, but its people directory in Mentora "
        "has no one matching you. Ask your programme manager to add you; no account was "
        "created."
    ),
    "no_claim": gettext_lazy(
        "Your organisation's log-in did not say who you are in the way Mentora was set up "
        "to expect. Ask your organisation's administrator to check the single sign-on "
        "settings."
    ),
    "inactive": gettext_lazy("Your account is switched off. Ask your programme manager."),
    "bad_signature": gettext_lazy(
        "The answer from your organisation's log-in could not be verified, so it was "
        "refused. Please try again from the log-in page."
    ),
    "expired": gettext_lazy(
        "The answer from your organisation's log-in has expired. Please start again from "
        "the log-in page."
    ),
    "wrong_audience": gettext_lazy(
        "The answer from your organisation's log-in was meant for another service, so it "
        "was refused."
    ),
    "replayed": gettext_lazy(
        "This answer from your organisation's log-in has already been used or does not "
        "belong to a log-in started here. Please start again from the log-in page."
    ),
    "provider_unreachable": gettext_lazy(
        "Your organisation's log-in could not be reached. Please try again in a moment."
    ),
    "provider_misconfigured": gettext_lazy(
        "Your organisation's single sign-on is not set up correctly. Ask its administrator "
        "to check the settings."
    ),
    "code_refused": gettext_lazy(
        "Your organisation's log-in did not confirm the sign-in. Please start again."
    ),
    "cancelled": gettext_lazy("The log-in was cancelled at your organisation."),
}


def refused(request: HttpRequest, reason: str) -> HttpResponse:
    """The one page every refused sign-in shows; nothing was created."""
    return render(
        request,
        "sso/refused.html",
        {"message": REFUSALS.get(reason, REFUSALS["bad_signature"])},
        status=403,
    )


def _next_url(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("dashboard")


def _provider(slug: str, protocol: str) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.filter(organisation__slug=slug, enabled=True, protocol=protocol)
        .select_related("organisation")
        .first()
    )


def _saml_urls(request: HttpRequest, slug: str) -> dict[str, str]:
    return {
        "entity_id": request.build_absolute_uri(reverse("sso_saml_metadata", args=[slug])),
        "acs_url": request.build_absolute_uri(reverse("sso_saml_acs", args=[slug])),
    }


def _oidc_redirect_uri(request: HttpRequest, slug: str) -> str:
    return request.build_absolute_uri(reverse("sso_oidc_callback", args=[slug]))


@require_POST
def sso_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the identity provider of the organisation the e-mail domain
    belongs to."""
    form = SsoStartForm(request.POST, prefix="sso")
    provider = identity_provider_for(form.data.get("sso-email", "")) if form.is_valid() else None
    if provider is None:
        if form.is_valid():
            form.add_error(
                "email",
                _("No organisation signs in people at this address with its own log-in."),
            )
        context = {"form": LoginForm(request), "sso_form": form, "next": form.data.get("next", "")}
        return render(request, "registration/login.html", context, status=400)
    next_url = _next_url(request, form.cleaned_data["next"])
    slug = provider.organisation.slug
    try:
        if provider.protocol == SsoProtocol.OIDC:
            location, kept = oidc.authorisation_request(
                provider, redirect_uri=_oidc_redirect_uri(request, slug)
            )
            request.session[SESSION_OIDC] = {
                **kept,
                "org": provider.organisation_id,
                "next": next_url,
            }
        else:
            location = saml.authentication_request(
                provider, **_saml_urls(request, slug), next_url=next_url
            )
    except SsoRefusal as refusal:
        return refused(request, refusal.reason)
    return HttpResponseRedirect(location)


def _sign_in(
    request: HttpRequest, provider: IdentityProvider, claims: dict[str, Any], next_url: str
) -> HttpResponse:
    try:
        user = services.sso_sign_in(provider=provider, claims=claims)
    except SsoRefusal as refusal:
        return refused(request, refusal.reason)
    login(request, user, backend=BACKEND)
    return HttpResponseRedirect(_next_url(request, next_url))


def sso_oidc_callback(request: HttpRequest, slug: str) -> HttpResponse:
    """Where the OpenID provider sends the browser back with a code."""
    form = OidcCallbackForm(request.GET)
    kept = request.session.pop(SESSION_OIDC, None)
    provider = _provider(slug, SsoProtocol.OIDC)
    if not form.is_valid() or not isinstance(kept, dict) or provider is None:
        return refused(request, "replayed")
    if kept.get("org") != provider.organisation_id or form.cleaned_data["state"] != kept.get(
        "state"
    ):
        return refused(request, "replayed")
    if form.cleaned_data["error"] or not form.cleaned_data["code"]:
        return refused(request, "cancelled")
    try:
        claims = oidc.claims_from_code(
            provider,
            code=form.cleaned_data["code"],
            redirect_uri=_oidc_redirect_uri(request, slug),
            kept=kept,
        )
    except SsoRefusal as refusal:
        return refused(request, refusal.reason)
    return _sign_in(request, provider, claims, kept.get("next", ""))


# The identity provider posts the answer from its own site: no CSRF token can come with
# it, and the signed assertion, its audience and the signed relay state stand in for one.
@csrf_exempt
@require_POST
def sso_saml_acs(request: HttpRequest, slug: str) -> HttpResponse:
    """Where the SAML identity provider posts its answer."""
    form = SamlResponseForm(request.POST)
    provider = _provider(slug, SsoProtocol.SAML)
    if not form.is_valid() or provider is None:
        return refused(request, "bad_signature")
    try:
        relay = saml.read_relay_state(form.cleaned_data["RelayState"])
        if relay["org"] != provider.organisation_id:
            raise SsoRefusal("replayed")
        claims = saml.claims_from_response(
            provider,
            **_saml_urls(request, slug),
            saml_response=form.cleaned_data["SAMLResponse"],
            request_id=str(relay["request"]),
        )
    except SsoRefusal as refusal:
        return refused(request, refusal.reason)
    return _sign_in(request, provider, claims, str(relay["next"]))


@login_required
def sso_saml_metadata(request: HttpRequest, slug: str) -> HttpResponse:
    """This installation's service-provider metadata for the organisation, to upload to
    its identity provider."""
    organisation, provider = access_identity_provider(request.user, slug)
    try:
        xml = saml.metadata_xml(provider, **_saml_urls(request, organisation.slug))
    except SsoRefusal as refusal:
        return refused(request, refusal.reason)
    response = HttpResponse(xml, content_type="application/samlmetadata+xml")
    response["Content-Disposition"] = f'attachment; filename="mentora-{organisation.slug}-sp.xml"'
    return response


@login_required
def identity_provider_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's single sign-on: read by its staff, changed by its admins."""
    write = request.method == "POST"
    organisation, provider = access_identity_provider(request.user, slug, write=write)
    form = IdentityProviderForm(request.POST or None, instance=provider)
    if write and form.is_valid():
        saved = run_on_form(
            form,
            services.identity_provider_update,
            organisation=organisation,
            actor=request.user,
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, _("The single sign-on settings were saved."))
            return redirect("identity_provider_settings", slug=organisation.slug)
    return render(
        request,
        "sso/settings.html",
        {
            "organisation": organisation,
            "form": form,
            "can_change": is_organisation_admin(request.user, organisation),
            "redirect_uri": _oidc_redirect_uri(request, organisation.slug),
            **_saml_urls(request, organisation.slug),
        },
        status=400 if write else 200,
    )
