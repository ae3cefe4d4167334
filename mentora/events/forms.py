from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mentora.core.forms import DateTimeField, WholeNumberField
from mentora.events.models import EventKind, RequiredFor
from mentora.programmes.forms import DateTimeInput


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of event"), choices=EventKind.choices, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = DateTimeField(label=_("Starts at"), widget=DateTimeInput)
    duration_minutes = WholeNumberField(
        label=_("Length in minutes"), min_value=15, max_value=600, initial=180, required=False
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    capacity = WholeNumberField(label=_("Capacity"), min_value=1, max_value=10_000, required=False)
    required_for = forms.ChoiceField(label=_("Required for"), choices=RequiredFor.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A workshop of three hours unless the manager says otherwise.
        data["kind"] = data.get("kind") or EventKind.WORKSHOP
        data["duration_minutes"] = data.get("duration_minutes") or 180
        return data
