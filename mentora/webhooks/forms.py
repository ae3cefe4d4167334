from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
