from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentora.core.forms import DateField, ModelForm, WholeNumberField
from mentora.relationships.models import Agreement, MeetingMode


class AgreementForm(ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "meeting_frequency",
            "planned_meetings",
            "learning_goals",
            "ways_of_working",
            "confidentiality",
            "not_recruitment",
            "end_date",
            "after_end",
        ]
        widgets = {
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "learning_goals": forms.Textarea(attrs={"rows": 3}),
            "ways_of_working": forms.Textarea(attrs={"rows": 3}),
            "after_end": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("confidentiality") and data.get("not_recruitment")):
            raise forms.ValidationError(
                _(
                    "Agree on confidentiality both ways and that the programme is not a "
                    "recruitment channel."
                )
            )
        return data

    def _post_clean(self) -> None:
        # The model's check constraint is enforced by the service; skip instance validation.
        pass


class MeetingForm(forms.Form):
    date = DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = WholeNumberField(
        label=_("Length in minutes"), min_value=15, max_value=480, initial=60
    )
    mode = forms.ChoiceField(label=_("How"), choices=MeetingMode.choices)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["time"].help_text = _("In your time zone: %(tz)s") % {"tz": time_zone}

    def starts_at(self) -> dt.datetime:
        """The date and time as entered, in the author's own time zone."""
        naive = dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(naive, zoneinfo.ZoneInfo(self.time_zone))
