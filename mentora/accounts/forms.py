from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mentora.accounts.models import Role, User, identity_provider_for
from mentora.core.forms import ModelForm
from mentora.core.mail import notify_user
from mentora.core.tables import SearchForm

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz]


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean(self) -> dict[str, Any]:
        # An organisation that signs its people in through its own provider may switch
        # passwords off for them; platform admins keep their password, so that a broken
        # provider never locks everyone out.
        email = (self.data.get("username") or "").strip()
        provider = identity_provider_for(email) if "@" in email else None
        if provider is not None and not provider.password_login:
            user = User.objects.filter(email__iexact=email).first()
            if user is None or not user.is_superuser:
                raise forms.ValidationError(
                    _(
                        "%(organisation)s signs you in with its own log-in: use "
                        "“Log in with your organisation” below."
                    ),
                    params={"organisation": provider.organisation.name},
                    code="sso_only",
                )
        return super().clean()


class SsoStartForm(forms.Form):
    """The e-mail address whose domain decides which organisation's log-in to use."""

    email = forms.EmailField(
        label=_("Work e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_email(self) -> Any:
        return self.cleaned_data["email"].strip().lower()


class PreferencesForm(ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)

    class Meta:
        model = User
        fields = ["full_name", "language", "time_zone"]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)

    def clean_email(self) -> Any:
        return self.cleaned_data["email"].strip().lower()


class MemberFilterForm(SearchForm):
    """The members list's filters: words in the name or e-mail address, and the role."""

    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )


class AuditFilterForm(forms.Form):
    """The audit log's filters: the start of the action, and words in who did it."""

    action = forms.CharField(label=_("Action starts with"), required=False, max_length=100)
    actor = forms.CharField(label=_("Who (e-mail)"), required=False, max_length=254)


class ResetForm(PasswordResetForm):
    """Django's password reset, sent like every other e-mail: in the person's language,
    as HTML with a plain-text part, and noted (without its link) in their inbox."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        notify_user(
            user=context["user"],
            template=email_template_name.removesuffix("_body.txt"),
            context=context,
            link=reverse(
                "password_reset_confirm",
                kwargs={"uidb64": context["uid"], "token": context["token"]},
            ),
        )


class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
    )


class TwoFactorEnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class OrganisationSecurityForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label=_("Require two-factor log-in for administrators and programme managers"),
        required=False,
        help_text=_(
            "They are asked to set up an authenticator app before anything else, and for a "
            "code at every log-in."
        ),
    )
