from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from mentora.accounts.models import IdentityProvider
from mentora.core.forms import ModelForm
from mentora.sso.services import PROVIDER_FIELDS


class OidcCallbackForm(forms.Form):
    """What the identity provider sends back: a code and our state, or an error."""

    code = forms.CharField(required=False, max_length=2000)
    state = forms.CharField(max_length=200)
    error = forms.CharField(required=False, max_length=200)


class SamlResponseForm(forms.Form):
    """The identity provider's POST: the base64 response and our signed relay state."""

    SAMLResponse = forms.CharField(max_length=200_000)
    RelayState = forms.CharField(max_length=4000)


class IdentityProviderForm(ModelForm):
    """An organisation's single sign-on. The client secret is never shown back: left
    blank, the stored one is kept."""

    oidc_issuer = forms.URLField(
        label=_("Issuer"), required=False, max_length=500, assume_scheme="https"
    )
    oidc_client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = IdentityProvider
        fields = list(PROVIDER_FIELDS)
        widgets = {
            "domains": forms.Textarea(attrs={"rows": 3}),
            "saml_metadata": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "domains": _("One per line, for example example.org."),
            "password_login": _(
                "Off: people at these domains can only sign in through the provider "
                "(platform admins keep their password)."
            ),
            "link_claim": _(
                "The claim (OpenID Connect) or attribute (SAML) that carries the e-mail "
                "address or employee id, for example email or employee_id."
            ),
            "saml_metadata": _("Paste the federation metadata XML your provider publishes."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["oidc_issuer"].help_text = _(
            "For example https://login.microsoftonline.com/TENANT-ID/v2.0"
        )
        hint = self.instance.secret_hint if self.instance.pk else ""
        if hint:
            self.fields["oidc_client_secret"].help_text = _(
                "Stored (%(hint)s). Leave blank to keep it."
            ) % {"hint": escape(hint)}
