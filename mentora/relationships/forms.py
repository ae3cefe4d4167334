from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentora.core.forms import DateField, ModelChoiceField, ModelForm, WholeNumberField
from mentora.core.submissions import submission_field
from mentora.core.tables import SearchForm
from mentora.programmes.models import Participant
from mentora.relationships.models import (
    Agreement,
    CheckInAnswer,
    Continuation,
    ExpertActivityKind,
    FeedbackDirection,
    FeedbackMoment,
    MeetingMode,
    Pair,
    PauseReason,
    Tool,
)
from mentora.relationships.services.workspace import AGREEMENT_FIELDS


def _saying(message: Any, *problems: str) -> dict[str, Any]:
    """Error messages that say `message` for each of `problems`."""
    return dict.fromkeys(problems, message)


def _whole(message: Any, low: int, high: int) -> WholeNumberField:
    """A whole number from `low` to `high` that says `message` when it is anything else."""
    errors = _saying(message, "required", "invalid", "min_value", "max_value")
    return WholeNumberField(min_value=low, max_value=high, error_messages=errors)


def _date(message: Any) -> DateField:
    return DateField(error_messages=_saying(message, "required", "invalid"))


def _choice(message: Any, choices: Any) -> forms.ChoiceField:
    """One of `choices`, saying `message` when none or another is sent."""
    return forms.ChoiceField(
        choices=choices, error_messages=_saying(message, "required", "invalid_choice")
    )


class AgreementForm(ModelForm):
    submission = submission_field()

    class Meta:
        model = Agreement
        fields = list(AGREEMENT_FIELDS)
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


class _InTimeZone(forms.Form):
    """A form whose `date` and `time` fields are read in the author's own time zone."""

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone

    def starts_at(self) -> dt.datetime:
        """The date and time as entered, in the author's own time zone."""
        naive = dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(naive, zoneinfo.ZoneInfo(self.time_zone))


class MeetingForm(_InTimeZone):
    date = DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = WholeNumberField(
        label=_("Length in minutes"), min_value=15, max_value=480, initial=60
    )
    mode = forms.ChoiceField(label=_("How"), choices=MeetingMode.choices)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, time_zone=time_zone, **kwargs)
        self.fields["time"].help_text = _("In your time zone: %(tz)s") % {"tz": time_zone}


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
    direction = _choice(_("Choose who the feedback is for."), FeedbackDirection.choices)
    moment = ModelChoiceField(
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
    continuation = _choice(_("Choose what happens after the programme."), Continuation.choices)
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
    held_on = _date(_("Give the date of the check-in."))
    channel = forms.CharField(max_length=100, required=False)
    note = forms.CharField(required=False)
    submission = submission_field()


class ExpertActivityForm(forms.Form):
    kind = _choice(_("Choose what kind of activity it was."), ExpertActivityKind.choices)
    happened_on = _date(_("Give the date of the activity."))
    # Longer notes get the service's own refusal.
    note = forms.CharField(required=False)
    submission = submission_field()


class RatingForm(forms.Form):
    rating = _whole(_("Rate the meeting from 1 to 5."), 1, 5)


class ProgressForm(forms.Form):
    progress = _whole(_("Progress runs from 0 to 100."), 0, 100)


def _days(label: Any, low: int = 1) -> WholeNumberField:
    """A number of days from `low` to 365, optional: one not sent keeps its value."""
    if low == 0:
        field = _whole(_("Give between 0 (no nudges) and 365 days."), 0, 365)
    else:
        field = _whole(_("Give between 1 and 365 days."), 1, 365)
    field.required = False
    field.label = label
    return field


class SupportSettingsForm(forms.Form):
    """The escalation ladder and reminder intervals of a programme, in days."""

    nudge_after_days = _days(_("Nudge the pair after this many days without a meeting"), 0)
    mentor_note_after_days = _days(_("Then a note to the mentor after this many more days"))
    manager_alert_after_days = _days(
        _("Then an alert for the programme team after this many more days")
    )
    application_reminder_days = _days(_("Remind invited people to apply after"))
    approval_reminder_days = _days(_("Remind line managers of an approval after"))
    introduction_reminder_days = _days(
        _("Remind of an unanswered introduction this many days before it expires")
    )
    survey_reminder_days = _days(_("Days between survey reminders (new surveys)"))

    def changes(self) -> dict[str, int]:
        """The numbers sent; those left out keep their value."""
        return {k: v for k, v in self.cleaned_data.items() if v is not None}


class CheckInForm(_InTimeZone):
    """'Did you meet?': one of three answers; a moved meeting's new date and time."""

    answer = _choice(
        _("Choose whether you met, moved the meeting or it did not happen."),
        CheckInAnswer.choices,
    )
    date = DateField(
        label=_("New date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    time = forms.TimeField(
        label=_("New time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": _("Give the new time as hours and minutes.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        moved = data.get("answer") == CheckInAnswer.MOVED
        if moved and not (data.get("date") and data.get("time")):
            raise forms.ValidationError(_("Give the new date and time of the meeting."))
        return data

    def arguments(self) -> dict[str, Any]:
        """The service's arguments: the answer, and the new time in the member's zone."""
        moved_to = None
        if self.cleaned_data["answer"] == CheckInAnswer.MOVED:
            moved_to = self.starts_at()
        return {"answer": self.cleaned_data["answer"], "moved_to": moved_to}


class PauseForm(forms.Form):
    starts_on = DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = DateField(
        label=_("Back on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=_saying(_("Give the date you will be back."), "required", "invalid"),
    )
    reason = _choice(_("Choose the reason for the pause."), PauseReason.choices)


class FeedbackMomentForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    opens_on = _date(_("Give the date the moment opens."))


class RecordingConsentForm(forms.Form):
    delete_on = _date(_("Give the date the recording is deleted."))


class ToolForm(forms.Form):
    """A programme's own tool; `replaces` is one of the library's tools, or none."""

    replaces = ModelChoiceField(
        queryset=Tool.objects.filter(programme__isnull=True),
        required=False,
        error_messages={"invalid_choice": _("Only a library tool can be replaced.")},
    )
    kind = forms.CharField(required=False)
    phase = forms.CharField(required=False)
    title_en = forms.CharField(required=False, max_length=200)
    title_da = forms.CharField(required=False, max_length=200)
    body_en = forms.CharField(required=False)
    body_da = forms.CharField(required=False)


class ExpertConnectForm(forms.Form):
    _unchosen = _saying(_("Choose a learner and an expert."), "required", "invalid_choice")
    learner = ModelChoiceField(queryset=Participant.objects.none(), error_messages=_unchosen)
    expert = ModelChoiceField(queryset=Participant.objects.none(), error_messages=_unchosen)
    theme = forms.CharField(required=False)

    def __init__(self, *args: Any, programme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only participations of the programme just checked can be picked; the service
        # checks their roles and statuses.
        taking_part = Participant.objects.filter(programme=programme)
        self.fields["learner"].queryset = taking_part  # type: ignore[attr-defined]
        self.fields["expert"].queryset = taking_part  # type: ignore[attr-defined]


class HealthFilterForm(SearchForm):
    """The health list's filters: words in either name, and the light."""

    light = forms.ChoiceField(
        label=_("Health"),
        required=False,
        choices=[
            ("", _("All pairs")),
            ("red", _("needs help")),
            ("amber", _("watch")),
            ("green", _("good")),
        ],
    )


class FlashTimeForm(_InTimeZone):
    """When a flash conversation starts and how long it lasts, in the author's time zone."""

    date = _date(_("Give the date of the conversation."))
    time = forms.TimeField(
        label=_("Time"),
        error_messages=_saying(_("Give the time it starts."), "required", "invalid"),
    )
    duration_minutes = _whole(_("A flash conversation lasts from 10 to 240 minutes."), 10, 240)


class FlashSlotForm(FlashTimeForm):
    """A new slot: one of the author's own expert participations, and where to meet."""

    expert = ModelChoiceField(
        queryset=Participant.objects.none(),
        error_messages=_saying(_("Choose the expert network."), "required", "invalid_choice"),
    )
    place = forms.CharField(required=False, max_length=200)
    link = forms.URLField(
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Give the online link as a web address.")},
    )

    def __init__(self, *args: Any, experts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = experts  # type: ignore[attr-defined]


class UsefulnessForm(forms.Form):
    usefulness = _whole(_("Choose an answer from 1 to 5."), 1, 5)
