"""Forms of the programme pages (long: one per page that edits a programme, its goals,
questionnaire, participants, mentors' places and guests; each parses its own input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mentora.accounts.models import Organisation, User
from mentora.core.forms import (
    DateField,
    DateTimeField,
    ModelChoiceField,
    ModelForm,
    ModelMultipleChoiceField,
    WholeNumberField,
    parse_id,
)
from mentora.core.tables import SearchForm
from mentora.matching import Constraints, MatchingSettings, Weights
from mentora.matching.policy import MODES
from mentora.people.forms import PeopleField
from mentora.people.models import Person
from mentora.people.widgets import PeoplePicker
from mentora.programmes.goal_models import ProgrammeGoal
from mentora.programmes.models import (
    Participant,
    ParticipantRole,
    ParticipantStatus,
    ProfileField,
    Programme,
    ProgrammeKind,
    Question,
    QuestionKind,
    ScreeningOutcome,
    TouchpointKind,
)
from mentora.programmes.services.design import PROGRAMME_FIELDS
from mentora.programmes.services.goals import GOAL_FIELDS

LANGUAGE_CHOICES = [*settings.LANGUAGES, ("no", _("Norwegian"))]


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value: Any) -> Any:
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class ProgrammeForm(ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sponsors = ModelMultipleChoiceField(
        label=_("Sponsors"), queryset=User.objects.none(), required=False, widget=PeoplePicker
    )
    managers = ModelMultipleChoiceField(
        label=_("Programme managers"),
        queryset=User.objects.none(),
        required=False,
        widget=PeoplePicker,
    )

    class Meta:
        model = Programme
        fields = list(PROGRAMME_FIELDS)
        widgets = {
            "start_date": DateInput,
            "end_date": DateInput,
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "group_size_override_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(memberships__organisation=organisation).distinct()
        self.fields["sponsors"].queryset = members  # type: ignore[attr-defined]
        self.fields["managers"].queryset = members  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["sponsors"] = list(self.instance.sponsors.all())
            self.initial["managers"] = list(self.instance.managers.all())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("The end date must be after the start date."))
        if data.get("rolling") and end:
            self.add_error(
                "end_date", _("A rolling programme has no end date: leave the end date empty.")
            )
        if (
            data.get("kind") == "group"
            and (data.get("max_mentees_per_mentor") or 0) > 5
            and not (data.get("group_size_override_reason") or "").strip()
        ):
            self.add_error(
                "group_size_override_reason",
                _("Give a reason for more than 5 mentees per mentor in group mentoring."),
            )
        return data


class ProgrammeFilterForm(SearchForm):
    """The programme list's filters: words in the name or organisation, and the kind."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *ProgrammeKind.choices],
    )


class NewProgrammeForm(ProgrammeForm):
    organisation = ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())

    field_order = ["organisation"]

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        first = organisations.first()
        assert first is not None
        data = args[0] if args else None
        chosen_id = parse_id(data.get("organisation")) if data else None
        chosen = (organisations.filter(pk=chosen_id).first() if chosen_id else None) or first
        super().__init__(*args, organisation=chosen, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.initial.setdefault("organisation", first.pk)
        # Sponsors and managers are chosen once the programme exists in its organisation.
        del self.fields["sponsors"]
        del self.fields["managers"]


CONSTRAINT_LABELS: dict[str, Any] = {
    "reporting_line": _("Never in the same reporting line"),
    "same_team": _("Never in the same team"),
    "competitors": _("Never across competing organisations"),
    "same_organisation": _("Never within the same organisation"),
    "shared_language": _("Must share a language"),
    "exclude": _("Respect the exclusions participants give"),
}
WEIGHT_LABELS: dict[str, Any] = {
    "themes": _("Learning themes the mentor can help with"),
    "progression": _("Mentor has been where the mentee is heading"),
    "different_department": _("Different department"),
    "different_division": _("Different division"),
    "different_location": _("Different location"),
    "different_gender": _("Different gender"),
    "timezone_band": _("Close time zones"),
    "mentee_preference": _("The mentee's wishes"),
    "mentor_preference": _("The mentor's wishes"),
    "goals": _("Goals in common"),
}
MODE_LABELS: dict[str, Any] = {
    "optimal": _("Best overall (the manager publishes)"),
    "stable": _("Stable (both sides' wishes)"),
    "suggest": _("Suggestions to choose from"),
    "groups": _("Groups"),
}


class PolicyForm(forms.Form):
    """The matching policy as a form; the view stores it in the engine's dict form."""

    max_timezone_gap_hours = forms.FloatField(
        label=_("Largest time-zone gap in hours"),
        required=False,
        min_value=0,
        max_value=24,
        help_text=_("Leave empty for no limit; matters in virtual programmes."),
    )
    mode = forms.ChoiceField(label=_("Matching mode"), choices=list(MODE_LABELS.items()))
    suggestions = WholeNumberField(label=_("Suggestions per mentee"), min_value=1, max_value=10)
    group_size = WholeNumberField(label=_("Group size"), min_value=1, max_value=20)

    def __init__(self, *args: Any, policy: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert set(CONSTRAINT_LABELS) | {"max_timezone_gap_hours"} == set(
            Constraints.__dataclass_fields__
        )
        assert set(WEIGHT_LABELS) == set(Weights.__dataclass_fields__)
        assert set(MODE_LABELS) == set(MODES)
        constraints = policy.get("constraints", {})
        weights = policy.get("weights", {})
        matching = policy.get("matching", {})
        defaults_c, defaults_w, defaults_m = Constraints(), Weights(), MatchingSettings()
        for name, label in CONSTRAINT_LABELS.items():
            self.fields[f"c_{name}"] = forms.BooleanField(label=label, required=False)
            self.initial[f"c_{name}"] = constraints.get(name, getattr(defaults_c, name))
        for name, label in WEIGHT_LABELS.items():
            self.fields[f"w_{name}"] = forms.FloatField(
                label=label, min_value=0, max_value=100, widget=forms.NumberInput({"step": "0.5"})
            )
            self.initial[f"w_{name}"] = weights.get(name, getattr(defaults_w, name))
        self.initial["max_timezone_gap_hours"] = constraints.get("max_timezone_gap_hours")
        for name in ("mode", "suggestions", "group_size"):
            self.initial[name] = matching.get(name, getattr(defaults_m, name))
        self.policy = policy

    def constraint_fields(self) -> list[Any]:
        return [self[f"c_{name}"] for name in CONSTRAINT_LABELS] + [self["max_timezone_gap_hours"]]

    def weight_fields(self) -> list[Any]:
        return [self[f"w_{name}"] for name in WEIGHT_LABELS]

    def mode_fields(self) -> list[Any]:
        return [self["mode"], self["suggestions"], self["group_size"]]

    def to_policy(self) -> dict[str, Any]:
        data = self.cleaned_data
        policy = {key: dict(value) for key, value in self.policy.items() if isinstance(value, dict)}
        constraints = {name: data[f"c_{name}"] for name in CONSTRAINT_LABELS}
        if data.get("max_timezone_gap_hours") is not None:
            constraints["max_timezone_gap_hours"] = data["max_timezone_gap_hours"]
        policy["constraints"] = constraints
        policy["weights"] = {name: data[f"w_{name}"] for name in WEIGHT_LABELS}
        policy["matching"] = {
            **policy.get("matching", {}),
            "mode": data["mode"],
            "suggestions": data["suggestions"],
            "group_size": data["group_size"],
        }
        return policy


class PartnerForm(forms.Form):
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_(
            "Its name as it is written in Mentora, or its short name. Organisations are "
            "never listed to other organisations, so write it out."
        ),
    )
    contributes_mentors = forms.BooleanField(label=_("Contributes mentors"), required=False)
    contributes_mentees = forms.BooleanField(label=_("Contributes mentees"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("contributes_mentors") or data.get("contributes_mentees")):
            raise forms.ValidationError(
                _("Each organisation must contribute mentors, mentees or both.")
            )
        return data


class TouchpointForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TouchpointKind.choices)
    date = DateField(label=_("Date"), widget=DateInput)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class InviteForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices)
    chosen = PeopleField(
        label=_("Find people"),
        queryset=Person.objects.none(),
        required=False,
        widget=PeoplePicker,
        help_text=_("Search the people directory by name, e-mail address, unit or employee id."),
    )
    people = forms.CharField(
        label=_("People"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("E-mail addresses or employee ids from the people directory, one per line."),
    )
    csv_file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        help_text=_("With a column named email or employee_id."),
    )

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisation is None:
            # Without the organisation there is no directory to search: names only.
            del self.fields["chosen"]
            return
        chosen = self.fields["chosen"]
        chosen.queryset = (  # type: ignore[attr-defined]
            Person.objects.current()
            .filter(organisation=organisation)
            .select_related("organisation", "org_unit")
        )
        chosen.widget.search_url = reverse("people_search", args=[organisation.slug])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = (data.get("people") or "").strip() or data.get("csv_file") or data.get("chosen")
        if not named and "chosen" not in self.errors:
            raise forms.ValidationError(_("Name at least one person or choose a CSV file."))
        return data


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("New status"),
        choices=ParticipantStatus.choices,
        error_messages={
            "required": _("Choose a new status."),
            "invalid_choice": _("Choose a new status."),
        },
    )
    reason = forms.CharField(
        label=_("Reason for declining (programme managers only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in ParticipantStatus.choices if value in allowed
        ]


class AvailabilityForm(forms.Form):
    """A mentor's places and dates for new mentees, within the programme's maximum."""

    places = WholeNumberField(
        label=_("Places for mentees"),
        min_value=0,
        max_value=1,
        help_text=_("How many mentees you can have at once; 0 takes nobody new."),
    )
    available_from = DateField(
        label=_("Available from"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty if you can start at once."),
    )
    available_until = DateField(
        label=_("Available until"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty if there is no last day."),
    )
    takes_mentees = forms.BooleanField(
        label=_("I take new mentees"),
        required=False,
        help_text=_("Untick to take no more mentees for now; your pairs at work go on."),
    )

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "places": participant.mentee_capacity,
                "available_from": participant.available_from,
                "available_until": participant.available_until,
                "takes_mentees": participant.takes_mentees,
            },
        )
        super().__init__(*args, **kwargs)
        maximum = participant.programme.max_mentees_per_mentor
        field = self.fields["places"]
        field.max_value = maximum  # type: ignore[attr-defined]
        field.validators = [v for v in field.validators if not hasattr(v, "limit_value")]
        field.validators += [MinValueValidator(0), MaxValueValidator(maximum)]
        field.widget.attrs.update(min=0, max=maximum)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, until = data.get("available_from"), data.get("available_until")
        if start and until and until < start:
            self.add_error(
                "available_until",
                _("The last day you are available must not come before the first."),
            )
        return data


class TakesMenteesForm(forms.Form):
    """The one switch: take new mentees, or no more for now."""

    takes_mentees = forms.TypedChoiceField(
        label=_("New mentees"),
        choices=[("yes", _("I take new mentees")), ("no", _("No more mentees"))],
        coerce=lambda value: value == "yes",
    )


class ScreeningScheduleForm(forms.Form):
    at = DateTimeField(
        label=_("Interview date and time"),
        widget=DateTimeInput,
        error_messages={
            "required": _("Give the date and time of the interview."),
            "invalid": _("Give the date and time of the interview."),
        },
    )


class ScreeningRecordForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ScreeningOutcome.choices, required=False
    )
    notes = forms.CharField(
        label=_("Interview notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuestionForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices)
    text = forms.CharField(label=_("Question"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For choice questions and learning themes: one per line."),
    )
    maps_to = forms.ChoiceField(
        label=_("Feeds the matching profile"), choices=ProfileField.choices, required=False
    )
    required = forms.BooleanField(label=_("Required"), required=False)


SCALE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class ApplicationForm(forms.Form):
    """The questionnaire for one role, built from the programme's questions."""

    def __init__(
        self,
        *args: Any,
        questions: list[Question],
        mentors: list[Participant],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = self._field(question, mentors)

    def _field(self, question: Question, mentors: list[Participant]) -> forms.Field:
        kind, label, required = question.kind, question.text, question.required
        options = [(c, c) for c in question.choices]
        if kind == QuestionKind.SHORT_TEXT:
            return forms.CharField(label=label, required=required, max_length=300)
        if kind == QuestionKind.LONG_TEXT:
            return forms.CharField(
                label=label, required=required, widget=forms.Textarea(attrs={"rows": 4})
            )
        if kind == QuestionKind.SINGLE_CHOICE:
            return forms.ChoiceField(
                label=label, required=required, choices=options, widget=forms.RadioSelect
            )
        if kind == QuestionKind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                label=label,
                required=required,
                choices=options,
                widget=forms.CheckboxSelectMultiple,
            )
        if kind == QuestionKind.SCALE:
            return forms.ChoiceField(
                label=label,
                required=required,
                choices=SCALE_CHOICES,
                widget=forms.RadioSelect,
                help_text=_("1 means not at all, 5 means very much."),
            )
        if kind == QuestionKind.RANKED_THEMES:
            return RankedField(label=label, required=required, options=question.choices)
        if not mentors:
            # Nobody to choose yet: say so, and never block the application on it.
            return forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=[],
                widget=forms.CheckboxSelectMultiple,
                help_text=_(
                    "No mentor has applied yet, so there is no one to choose from. They are "
                    "listed here as soon as mentors apply: send your application without this "
                    "answer, or come back to this form later, as it stays open until you send it."
                ),
            )
        return forms.MultipleChoiceField(
            label=label,
            required=required,
            choices=[(str(m.pk), m.person.label) for m in mentors],
            widget=forms.CheckboxSelectMultiple,
        )

    def answers(self) -> dict[str, Any]:
        return {str(q.pk): self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


RANKS = (_("First choice"), _("Second choice"), _("Third choice"))
RANKED_HELP = {
    1: _("Choose one."),
    2: _("Choose up to two, most important first."),
    3: _("Choose up to three, most important first."),
}


class RankedField(forms.MultipleChoiceField):
    """Learning themes in order of importance: without JavaScript, one select per rank.
    "Up to" three: when required, one choice is enough."""

    def __init__(self, *, options: list[str], **kwargs: Any) -> None:
        self.options = options
        widget = RankedWidget(options=options)
        super().__init__(
            choices=[(o, o) for o in options],
            widget=widget,
            help_text=RANKED_HELP[len(widget.widgets)],
            **kwargs,
        )

    def clean(self, value: Any) -> list[str]:
        ranked = [v for v in (value or []) if v]
        if len(set(ranked)) != len(ranked):
            raise forms.ValidationError(_("Choose each learning theme only once."))
        return super().clean(ranked)


class RankedWidget(forms.MultiWidget):
    def __init__(self, *, options: list[str]) -> None:
        choices = [("", "—"), *[(o, o) for o in options]]
        # No more ranks than there are choices; the label names the first select, and
        # each select also says its rank.
        ranks = RANKS[: max(1, min(len(RANKS), len(options)))]
        super().__init__(
            [forms.Select(choices=choices, attrs={"aria-label": label}) for label in ranks]
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # A required ranking needs its first choice only; the others stay optional.
        for subwidget in context["widget"]["subwidgets"][1:]:
            subwidget["attrs"].pop("required", None)
        return context

    def decompress(self, value: Any) -> list[Any]:
        values = list(value or [])
        return [*values, *[None] * len(self.widgets)][: len(self.widgets)]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[Any]:
        return super().value_from_datadict(data, files, name)


class LineManagerDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose approve or decline."),
            "invalid_choice": _("Choose approve or decline."),
        },
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        # The service is told whether the line manager approves, in its own terms.
        data = super().clean() or {}
        if "decision" in data:
            data["approve"] = data.pop("decision") == "approve"
        return data


class GoalForm(ModelForm):
    class Meta:
        model = ProgrammeGoal
        fields = list(GOAL_FIELDS)
        widgets = {"text": forms.TextInput(attrs={"size": 60})}


class GuestForm(forms.Form):
    """Someone outside the HR data: their name, address, role and language of e-mails."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices)
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)

    def clean_email(self) -> Any:
        return self.cleaned_data["email"].strip().lower()


class GuestAcceptForm(forms.Form):
    """The password of a new guest account, typed twice and checked like every password."""

    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            raise forms.ValidationError(_("The two passwords differ."), code="mismatch")
        if data.get("password"):
            validate_password(data["password"])
        return data
