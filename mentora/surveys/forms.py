from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentora.core.forms import DateTimeField, JsonFileField, ModelChoiceField, WholeNumberField
from mentora.surveys.models import Audience, Instrument, Question, QuestionKind, Wave

SCALE_LABELS = {
    1: _("1 - Strongly disagree"),
    2: _("2 - Disagree"),
    3: _("3 - Neither agree nor disagree"),
    4: _("4 - Agree"),
    5: _("5 - Strongly agree"),
}


def field_name(question: Question) -> str:
    return f"q{question.pk}"


class AnswerForm(forms.Form):
    """One field per question, worded in the respondent's language."""

    def __init__(self, *args: Any, questions: list[Question], language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            label = q.text(language)
            field: forms.Field
            if q.kind == QuestionKind.SCALE:
                field = forms.ChoiceField(
                    label=label,
                    choices=[(str(k), v) for k, v in SCALE_LABELS.items()],
                    widget=forms.RadioSelect,
                )
            elif q.kind == QuestionKind.NPS:
                field = forms.ChoiceField(
                    label=label,
                    choices=[(str(k), str(k)) for k in range(11)],
                    widget=forms.RadioSelect,
                    help_text=_("0 = not at all likely, 10 = extremely likely"),
                )
            elif q.kind == QuestionKind.SINGLE:
                field = forms.ChoiceField(
                    label=label, choices=q.choice_labels(language), widget=forms.RadioSelect
                )
            elif q.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=q.choice_labels(language),
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                field = forms.CharField(
                    label=label, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
                )
            field.required = q.required
            self.fields[field_name(q)] = field

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(field_name(q)) for q in self.questions}


class ScheduleForm(forms.Form):
    instrument = ModelChoiceField(queryset=Instrument.objects.none(), label=_("Instrument"))
    wave = forms.ChoiceField(label=_("Wave"), choices=Wave.choices)
    roles = forms.MultipleChoiceField(
        label=_("Ask"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )
    opens_at = DateTimeField(
        label=_("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = DateTimeField(
        label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reminder_days = WholeNumberField(
        label=_("Days between reminders"), min_value=1, max_value=90, initial=7
    )

    def __init__(self, *args: Any, instruments: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = instruments  # type: ignore[attr-defined]
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("opens_at", now.strftime("%Y-%m-%dT%H:%M"))
            closes = now + dt.timedelta(days=14)
            self.initial.setdefault("closes_at", closes.strftime("%Y-%m-%dT%H:%M"))


class CustomQuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text_en = forms.CharField(label=_("Question in English"), max_length=400)
    text_da = forms.CharField(label=_("Question in Danish"), max_length=400, required=False)
    audience = forms.MultipleChoiceField(
        label=_("Ask"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For choice questions: one choice per line, English | Danish."),
    )

    def question(self) -> dict[str, Any]:
        """The question as the services take it: its kind, wording, groups and choices."""
        return {
            "kind": self.cleaned_data["kind"],
            "text_en": self.cleaned_data["text_en"],
            "text_da": self.cleaned_data["text_da"],
            "audience": self.cleaned_data["audience"],
            "choices": self.choice_list(),
        }

    def choice_list(self) -> list[dict[str, str]]:
        result = []
        for n, line in enumerate(self.cleaned_data.get("choices", "").splitlines(), start=1):
            if not line.strip():
                continue
            en, _sep, da = line.partition("|")
            result.append({"value": str(n), "en": en.strip(), "da": da.strip() or en.strip()})
        return result


class InstrumentUploadForm(forms.Form):
    file = JsonFileField(
        label=_("Instrument file (JSON)"),
        help_text=_("Questions and licence metadata; see the documentation for the format."),
    )

    def instrument_data(self) -> Any:
        return self.cleaned_data["file"]
