from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentora.core.forms import DateField, ModelForm, WholeNumberField
from mentora.core.submissions import submission_field
from mentora.relationships.models import (
    Agreement,
    Continuation,
    ExpertActivityKind,
    FeedbackDirection,
    FeedbackMoment,
    MeetingMode,
    Pair,
)


class AgreementForm(ModelForm):
    submission = submission_field()

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


class MeetingScheduleForm(MeetingForm):
    """Planning a new meeting: sent twice, it plans one."""

    submission = submission_field()


class GoalForm(forms.Form):
    theme = forms.CharField(
        label=_("Theme"), max_length=200, error_messages={"required": _("Name the theme.")}
    )
    description = forms.CharField(label=_("What success looks like"), required=False)
    submission = submission_field()


class FeedbackForm(forms.Form):
    direction = forms.ChoiceField(
        choices=FeedbackDirection.choices,
        error_messages={
            "required": _("Choose who the feedback is for."),
            "invalid_choice": _("Choose who the feedback is for."),
        },
    )
    moment = forms.ModelChoiceField(
        queryset=FeedbackMoment.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("That feedback moment belongs to another programme.")},
    )
    text = forms.CharField(error_messages={"required": _("Write your feedback.")})
    submission = submission_field()

    def __init__(self, *args: Any, pair: Pair, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the moments of the pair's own programme can be chosen.
        self.fields["moment"].queryset = FeedbackMoment.objects.filter(  # type: ignore[attr-defined]
            programme_id=pair.programme_id
        )


class ClosureForm(forms.Form):
    reflection = forms.CharField(required=False)
    continuation = forms.ChoiceField(
        choices=Continuation.choices,
        error_messages={
            "required": _("Choose what happens after the programme."),
            "invalid_choice": _("Choose what happens after the programme."),
        },
    )
    thanks = forms.CharField(required=False)
    submission = submission_field()


class StoryForm(forms.Form):
    title = forms.CharField(
        max_length=200, error_messages={"required": _("Give your story a title and a text.")}
    )
    text = forms.CharField(error_messages={"required": _("Give your story a title and a text.")})
    # The service refuses a story without consent, with its own words.
    consent = forms.BooleanField(required=False)
    submission = submission_field()


class FollowUpForm(forms.Form):
    held_on = forms.DateField(
        error_messages={
            "required": _("Give the date of the check-in."),
            "invalid": _("Give the date of the check-in."),
        }
    )
    channel = forms.CharField(max_length=100, required=False)
    note = forms.CharField(required=False)
    submission = submission_field()


class ExpertActivityForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ExpertActivityKind.choices,
        error_messages={
            "required": _("Choose what kind of activity it was."),
            "invalid_choice": _("Choose what kind of activity it was."),
        },
    )
    happened_on = forms.DateField(
        error_messages={
            "required": _("Give the date of the activity."),
            "invalid": _("Give the date of the activity."),
        }
    )
    # Longer notes get the service's own refusal.
    note = forms.CharField(required=False)
    submission = submission_field()
