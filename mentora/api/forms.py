from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentora.api.models import SCOPES, scope_label


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses the token, so you know which to revoke."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(scope, scope_label(scope)) for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A token never does more than its owner may do on the pages."),
    )
