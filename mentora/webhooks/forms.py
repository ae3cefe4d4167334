from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mentora.webhooks.addresses import private_address_problem
from mentora.webhooks.models import SUBSCRIBABLE, WebhookEvent


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Your system's address that receives the events, signed, as JSON."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(value, label) for value, label in WebhookEvent.choices if value in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        problem = private_address_problem(url)
        if problem:
            raise ValidationError(problem, code="private_address")
        return url
