from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from mentora.accounts import access, services, throttling, two_factor
from mentora.accounts.forms import (
    AuditFilterForm,
    InviteForm,
    LanguageForm,
    LoginForm,
    MemberFilterForm,
    OrganisationSecurityForm,
    PreferencesForm,
    SsoStartForm,
    TwoFactorCodeForm,
    TwoFactorEnrolForm,
)
from mentora.accounts.models import CalendarFeed, Membership, Organisation, Role, User
from mentora.core.confirm import confirmed, run_confirmed
from mentora.core.messages import refusal, run_on_form, submit
from mentora.core.models import AuditEntry
from mentora.core.tables import DESC, Column, filtered, filters, sort_table


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the account when logged in."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_update_preferences(
                user=request.user,
                actor=request.user,
                language=language,
            )
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite="Lax",
            httponly=True,
        )
    return response


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        # Apply through the service (audited), not form.save().
        assert user.pk is not None
        fresh = User.objects.get(pk=user.pk)
        services.user_update_preferences(user=fresh, actor=user, **form.cleaned_data)
        translation.activate(fresh.language)
        messages.success(request, _("Your settings were saved."))
        response = redirect("account_settings")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            fresh.language,
            httponly=True,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite="Lax",
        )
        return response
    assert user.pk is not None
    feed = CalendarFeed.objects.filter(user_id=user.pk).first()
    # A new link is shown once, on the page the renewal led to, and never stored in the
    # clear: the session hands it over and forgets it.
    token = request.session.pop(CALENDAR_TOKEN_KEY, None)
    feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[token])) if token else ""
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "calendar_feed": feed, "calendar_feed_url": feed_url},
    )


CALENDAR_TOKEN_KEY = "calendar_feed_token"


@login_required
@require_POST
def calendar_feed_renew(request: HttpRequest) -> HttpResponse:
    """A new private calendar link (the old one stops working), shown once."""
    assert request.user.pk is not None
    user = User.objects.get(pk=request.user.pk)
    token = services.calendar_feed_renew(user=user, actor=request.user)
    request.session[CALENDAR_TOKEN_KEY] = token
    messages.success(
        request, _("Your new calendar link is ready. Any earlier link has stopped working.")
    )
    return redirect(reverse("account_settings") + "#calendar-heading")


@login_required
@require_POST
def calendar_feed_stop(request: HttpRequest) -> HttpResponse:
    assert request.user.pk is not None
    user = User.objects.get(pk=request.user.pk)
    run_confirmed(
        request,
        services.calendar_feed_stop,
        user=user,
        actor=request.user,
        success=_("Your calendar link has stopped working."),
    )
    return redirect(reverse("account_settings") + "#calendar-heading")


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation(request.user, slug)
    roles = access.user_roles(request.user, organisation)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "roles": [Membership(role=r).get_role_display() for r in sorted(roles)],
            "is_staff": bool(roles & access.STAFF_ROLES) or request.user.is_superuser,
            "is_admin": access.is_organisation_admin(request.user, organisation),
            # Organisation admins and sponsors follow outcomes across programmes.
            "sees_outcomes": bool(roles & {Role.ORG_ADMIN, Role.SPONSOR})
            or request.user.is_superuser,
            "competitors": organisation.competitors.order_by("name"),
            "people_count": organisation.people.current().count(),
        },
    )


@login_required
def organisation_members(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation_staff_area(request.user, slug)
    roles = access.user_roles(request.user, organisation)
    can_change = request.user.is_superuser or bool(roles & access.ADMIN_ROLES)
    return _members_page(
        request,
        organisation,
        can_change=can_change,
        invite_form=InviteForm() if can_change else None,
    )


MEMBER_COLUMNS = [
    Column("name", gettext_lazy("Name"), order=("user__full_name",)),
    Column("email", gettext_lazy("E-mail address"), order=("user__email", "role")),
    Column("role", gettext_lazy("Role"), order=("role", "user__email")),
]


def _members_page(
    request: HttpRequest,
    organisation: Organisation,
    *,
    can_change: bool,
    invite_form: InviteForm | None,
    status: int = 200,
) -> HttpResponse:
    """The organisation's members, with the invitation form as new or as posted."""
    form = MemberFilterForm(request.GET)
    memberships = filtered(
        organisation.memberships.select_related("user"),
        form,
        search=("user__full_name", "user__email"),
        exact=("role",),
    )
    table = sort_table(request, memberships, MEMBER_COLUMNS, default="email", per_page=50)
    return render(
        request,
        "accounts/organisation_members.html",
        {
            "organisation": organisation,
            "table": table,
            "form": form,
            "can_change": can_change,
            "invite_form": invite_form,
        },
        status=status,
    )


@login_required
@require_POST
def member_invite(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation_staff_area(request.user, slug, write=True)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _members_page(request, organisation, can_change=True, invite_form=form, status=400)
    services.member_invite(organisation=organisation, actor=request.user, **form.cleaned_data)
    messages.success(
        request, _("%(email)s was invited and will receive an e-mail.") % form.cleaned_data
    )
    return redirect("organisation_members", slug=organisation.slug)


@login_required
@require_POST
def membership_revoke(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    membership = access.access_membership(request.user, slug, membership_id)
    run_confirmed(
        request,
        services.membership_revoke,
        membership=membership,
        actor=request.user,
        success=_("The role was removed."),
    )
    return redirect("organisation_members", slug=slug)


class LoginView(auth_views.LoginView):
    """Log in with a password, or, below it, with one's organisation's own log-in (found
    by the domain of the e-mail address)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_form"] = SsoStartForm(prefix="sso", initial={"next": self.get_redirect_url()})
        return context


RESET_WINDOW = dt.timedelta(hours=1)


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with a limit per client address (refused plainly) and per
    e-mail address (silently: the page never reveals whether an account exists, and an
    inbox cannot be flooded with reset links)."""

    def form_valid(self, form: Any) -> HttpResponse:
        if not throttling.allow(
            kind="password_reset.client",
            key=throttling.client_address(self.request),
            limit=settings.PASSWORD_RESETS_PER_CLIENT,
            window=RESET_WINDOW,
        ):
            return render(self.request, "registration/password_reset_throttled.html", status=429)
        if throttling.allow(
            kind="password_reset.address",
            key=throttling.login_name(form.cleaned_data["email"]),
            limit=settings.PASSWORD_RESETS_PER_ADDRESS,
            window=RESET_WINDOW,
        ):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The installation's audit log, for platform admins."""
    access.access_audit_log(request.user)
    entries = AuditEntry.objects.select_related("object_type", "organisation")
    form = AuditFilterForm(request.GET)
    chosen = filters(form)
    if "action" in chosen:
        entries = entries.filter(action__startswith=chosen["action"])
    if "actor" in chosen:
        entries = entries.filter(actor_email__icontains=chosen["actor"])
    table = sort_table(
        request, entries, AUDIT_COLUMNS, default="when", default_direction=DESC, per_page=50
    )
    return render(request, "accounts/audit_log.html", {"table": table, "form": form})


AUDIT_COLUMNS = [
    Column("when", gettext_lazy("When"), order=("created_at",)),
    Column("who", gettext_lazy("Who"), order=("actor_email", "created_at")),
    Column("action", gettext_lazy("Action"), order=("action", "created_at")),
]


# Two-factor log-in ----------------------------------------------------------------------

TWO_FACTOR_WINDOW = dt.timedelta(minutes=15)
# The secret of an app being set up waits in the session until the app shows a right code.
ENROL_KEY = "mentora_two_factor_key"


def _next_url(request: HttpRequest) -> str:
    """Where to go once the second factor is given: `next`, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


def _two_factor_limit(request: HttpRequest) -> dict[str, Any]:
    """Wrong codes are counted per account, wherever they come from."""
    return {
        "kind": "two_factor",
        "key": str(request.user.pk),
        "limit": settings.TWO_FACTOR_ATTEMPTS,
        "window": TWO_FACTOR_WINDOW,
    }


def _two_factor_allowed(request: HttpRequest) -> bool:
    """False once too many wrong codes were given for this account lately."""
    return not throttling.exceeded(**_two_factor_limit(request))


def _two_factor_failed(request: HttpRequest) -> None:
    throttling.allow(**_two_factor_limit(request))


def _too_many(
    request: HttpRequest, form: Any, template: str, context: dict[str, Any]
) -> HttpResponse:
    form.add_error(
        None,
        _("Too many codes were tried. Wait a quarter of an hour, then try again."),
    )
    return render(request, template, {**context, "form": form}, status=429)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in: a code from the app, or a recovery code."""
    user = request.user
    assert isinstance(user, User)
    if not two_factor.enrolled(user):
        return redirect("two_factor_setup")
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    form = TwoFactorCodeForm(request.POST or None)
    context = {"next": _next_url(request)}
    if request.method == "POST" and form.is_valid():
        if not _two_factor_allowed(request):
            return _too_many(request, form, "registration/two_factor_verify.html", context)
        device = run_on_form(
            form, services.two_factor_verify, user=user, code=form.cleaned_data["code"]
        )
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        _two_factor_failed(request)
    status = 400 if form.is_bound else 200
    return render(
        request, "registration/two_factor_verify.html", {**context, "form": form}, status=status
    )


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (a QR code, or the secret to type in), then show the
    recovery codes once. When it is set up already: new recovery codes, or turn it off."""
    user = request.user
    assert isinstance(user, User)
    context: dict[str, Any] = {
        "required": two_factor.required_for(user),
        "next": _next_url(request),
    }
    if two_factor.enrolled(user):
        # Someone who set it up must have given a code in this session to change it.
        if not user.is_verified():  # type: ignore[attr-defined]
            return redirect(f"{reverse('two_factor_verify')}?next={request.path}")
        return render(request, "accounts/two_factor.html", {**context, "enrolled": True})
    key = request.session.get(ENROL_KEY) or two_factor.new_key()
    request.session[ENROL_KEY] = key
    form = TwoFactorEnrolForm(request.POST or None)
    uri = two_factor.otpauth_uri(user.email, key)
    context |= {
        "secret": two_factor.base32(key),
        "qr": two_factor.qr_svg(uri, _("QR code for your authenticator app")),
    }
    if request.method == "POST" and form.is_valid():
        if not _two_factor_allowed(request):
            return _too_many(request, form, "accounts/two_factor.html", context)
        done = run_on_form(
            form,
            services.two_factor_enrol,
            user=user,
            key=key,
            code=form.cleaned_data["code"],
            actor=user,
        )
        if done is not None:
            device, codes = done
            del request.session[ENROL_KEY]
            otp_login(request, device)
            return render(
                request,
                "accounts/two_factor.html",
                {**context, "enrolled": True, "codes": codes},
            )
        _two_factor_failed(request)
    status = 400 if form.is_bound else 200
    return render(request, "accounts/two_factor.html", {**context, "form": form}, status=status)


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect("two_factor_verify")
    if not confirmed(request):
        return redirect("two_factor_setup")
    try:
        codes = services.recovery_codes_renew(user=user, actor=user)
    except ValidationError as error:
        refusal(request, error)
        return redirect("two_factor_setup")
    return render(
        request,
        "accounts/two_factor.html",
        {"enrolled": True, "codes": codes, "required": two_factor.required_for(user)},
    )


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect("two_factor_verify")
    run_confirmed(
        request,
        services.two_factor_disable,
        user=user,
        actor=user,
        success=_("Two-factor log-in is off."),
    )
    return redirect("two_factor_setup")


@login_required
def organisation_security(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's log-in rules: staff read them, organisation admins change them."""
    write = request.method == "POST"
    organisation = access.access_organisation_staff_area(request.user, slug, write=write)
    initial = {"require_two_factor": organisation.require_two_factor}
    form = OrganisationSecurityForm(request.POST or None, initial=initial)
    if write and submit(
        request,
        form,
        services.organisation_update,
        organisation=organisation,
        actor=request.user,
        success=_("The log-in rules were saved."),
    ):
        return redirect("organisation_security", slug=slug)
    return render(
        request,
        "accounts/organisation_security.html",
        {
            "organisation": organisation,
            "form": form,
            "can_change": access.is_organisation_admin(request.user, organisation),
        },
    )
