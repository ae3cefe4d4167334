from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mentora.accounts.models import Organisation
from mentora.core.forms import ModelChoiceField, WholeNumberField
from mentora.matching import Policy, PolicyError
from mentora.people.models import label_related
from mentora.people.widgets import PersonPicker
from mentora.programmes.forms import WEIGHT_LABELS
from mentora.programmes.models import Participant, ParticipantRole, Programme
from mentora.rounds.explain import attribute_label
from mentora.rounds.models import MatchingRound
from mentora.rounds.services.fairness import ATTRIBUTES, DEFAULT_ATTRIBUTES, SENSITIVE

GROUP_SIZES = {
    key: _("Group sizes run from 2 to 12, the smallest first.")
    for key in ("required", "invalid", "min_value", "max_value")
}


class IntroduceForm(forms.Form):
    """Mutual opt-in: how long both sides have to answer an introduction."""

    days = WholeNumberField(
        label=_("Days to answer"),
        min_value=1,
        max_value=60,
        initial=7,
        error_messages={
            "invalid": _("Give the number of days as a whole number."),
            "required": _("Give the number of days as a whole number."),
            "min_value": _("Give between 1 and 60 days to answer."),
            "max_value": _("Give between 1 and 60 days to answer."),
        },
    )


class _ParticipantChoice(ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person.label)


class PairChoiceForm(forms.Form):
    """A mentee and a mentor of the round's programme, to match by hand or to ask about."""

    mentee = _ParticipantChoice(queryset=Participant.objects.none(), widget=PersonPicker)
    mentor = _ParticipantChoice(queryset=Participant.objects.none(), widget=PersonPicker)

    def __init__(self, *args: Any, matching_round: MatchingRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only participations of the round's own programme can be chosen.
        taking_part = Participant.objects.filter(
            programme_id=matching_round.programme_id
        ).select_related(*label_related("person"))
        self.fields["mentee"].queryset = taking_part.filter(  # type: ignore[attr-defined]
            role=ParticipantRole.MENTEE
        )
        self.fields["mentor"].queryset = taking_part.filter(  # type: ignore[attr-defined]
            role=ParticipantRole.MENTOR
        )


class HandSearchForm(forms.Form):
    """The names typed to find a mentee and a mentor to match by hand, for a browser
    without JavaScript (with it, the people picker searches as one types)."""

    mentee_q = forms.CharField(label=_("Find a mentee"), required=False, max_length=100)
    mentor_q = forms.CharField(label=_("Find a mentor"), required=False, max_length=100)


class MenteeChoiceForm(forms.Form):
    """A mentee of the programme, to match on demand."""

    mentee = _ParticipantChoice(
        label=_("Mentee"), queryset=Participant.objects.none(), widget=PersonPicker
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only mentees of this programme can be chosen.
        self.fields["mentee"].queryset = Participant.objects.filter(  # type: ignore[attr-defined]
            programme=programme, role=ParticipantRole.MENTEE
        ).select_related(*label_related("person"))


class CompareForm(forms.Form):
    """The other round of the same programme to compare with (`?with=`)."""

    def __init__(self, *args: Any, matching_round: MatchingRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["with"] = ModelChoiceField(
            queryset=MatchingRound.objects.filter(programme_id=matching_round.programme_id)
        )


# The orders a round's proposals can be listed in, and the database order of each.
REVIEW_SORTS = {
    "score": ("-score", _("Highest score first")),
    "-score": ("score", _("Lowest score first")),
    "mentee": ("mentee__person__last_name", _("Mentee")),
    "mentor": ("mentor__person__last_name", _("Mentor")),
}
# What a proposal can be picked out by, besides the criteria that scored for it.
MANAGER_RULES = [("locked", _("Locked pairs")), ("manual", _("Pairs set by hand"))]
WISH_RULES = [
    ("first_choice", _("The mentee's first choice")),
    ("wish_met", _("One of the mentee's wishes")),
    ("wish_missed", _("The mentee's wishes not met")),
]


def _choice_errors(text: Any) -> dict[str, Any]:
    return {"invalid_choice": text}


class ReviewFilterForm(forms.Form):
    """Which of a round's proposals to list, and in what order (the query string)."""

    q = forms.CharField(
        label=_("Name"),
        help_text=_("A mentee's or mentor's first or last name, or how it begins."),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Search for a name of at most 100 characters.")},
    )
    band = forms.ChoiceField(
        label=_("Score"),
        required=False,
        choices=[
            ("", _("Any score")),
            ("strong", _("Strong: the round's top third")),
            ("good", _("Good: the middle third")),
            ("weak", _("Weak: the bottom third")),
        ],
        error_messages=_choice_errors(_("Choose strong, good or weak from the score list.")),
    )
    rule = forms.ChoiceField(
        label=_("Why matched"),
        required=False,
        error_messages=_choice_errors(_("Choose a reason from the list.")),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, label) for key, (_order, label) in REVIEW_SORTS.items()],
        error_messages=_choice_errors(_("Choose an order from the list.")),
    )

    def __init__(
        self, *args: Any, matching_round: MatchingRound, include_gender: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        weights = _weights(matching_round)
        criteria = [
            (name, label)
            for name, label in WEIGHT_LABELS.items()
            if weights.get(name, 0) > 0 and (include_gender or name != "different_gender")
        ]
        self.fields["rule"].choices = [  # type: ignore[attr-defined]
            ("", _("Any reason")),
            (_("Set by the programme manager"), MANAGER_RULES),
            (_("The mentee's wishes"), WISH_RULES),
            (_("Scored on"), criteria),
        ]
        # Those whose people take part: the name search looks for people among them.
        self.organisation_ids = organisation_ids = matching_round.programme.organisation_ids()
        if len(organisation_ids) > 1:
            self.fields["organisation"] = ModelChoiceField(
                label=_("Organisation"),
                required=False,
                empty_label=_("Every organisation"),
                queryset=Organisation.objects.filter(pk__in=organisation_ids).order_by("name"),
                error_messages=_choice_errors(
                    _("Choose one of the programme's organisations from the list.")
                ),
            )
            self.order_fields(["q", "organisation", "band", "rule", "sort"])

    def value(self, name: str) -> Any:
        """A filter's value, once checked; a filter given wrongly filters nothing."""
        return self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None

    @property
    def order(self) -> str:
        return REVIEW_SORTS[self.value("sort") or "score"][0]


def _weights(matching_round: MatchingRound) -> dict[str, float]:
    """The weight of each criterion in the policy the round ran with."""
    try:
        weights = Policy.from_dict(matching_round.policy or {}).weights
    except PolicyError:
        weights = Policy().weights
    return {name: float(getattr(weights, name, 0.0)) for name in WEIGHT_LABELS}


class RankForm(forms.Form):
    """A mentee's ranking of their own suggestions: a number per suggested mentor, blank
    for a mentor they would rather not have."""

    def __init__(self, *args: Any, mentor_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for mentor_id in mentor_ids:
            self.fields[f"rank_{mentor_id}"] = WholeNumberField(
                required=False,
                min_value=1,
                max_value=len(mentor_ids),
                error_messages={
                    "invalid": _("Ranks are whole numbers."),
                    "min_value": _("Ranks are whole numbers from 1."),
                },
            )

    def ranked_mentor_ids(self) -> list[int]:
        """The mentors ranked, most wanted first."""
        ranked = [
            (rank, int(name.removeprefix("rank_")))
            for name, rank in self.cleaned_data.items()
            if rank is not None
        ]
        return [mentor_id for _rank, mentor_id in sorted(ranked)]


class GroupsForm(forms.Form):
    """The kind of groups to form and the sizes they may have."""

    kind = forms.CharField(required=False)
    min_size = WholeNumberField(min_value=2, max_value=12, error_messages=GROUP_SIZES)
    max_size = WholeNumberField(min_value=2, max_value=12, error_messages=GROUP_SIZES)


REASON_LENGTH = 2000


class _ReasonField(forms.CharField):
    def __init__(self) -> None:
        super().__init__(
            required=False,
            max_length=REASON_LENGTH,
            strip=True,
            error_messages={"max_length": _("Keep the reason under 2,000 characters.")},
        )


class EndForm(forms.Form):
    """Ending a match: why, in the member's own words (optional, never shared)."""

    reason = _ReasonField()


class AnswerForm(forms.Form):
    """Accepting or declining an introduction; a decline may say why."""

    answer = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline"))],
        error_messages={"required": _("Choose to accept or to decline.")},
    )
    reason = _ReasonField()

    @property
    def accepts(self) -> bool:
        return self.cleaned_data["answer"] == "accept"


class FairnessForm(forms.Form):
    """The breakdowns of a round's fairness report (`?by=`); gender only for staff who
    may see sensitive attributes."""

    by = forms.MultipleChoiceField(
        label=_("Break the figures down by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("%(value)s is not a breakdown you may choose."),
        },
    )

    def __init__(self, *args: Any, include_gender: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["by"].choices = [  # type: ignore[attr-defined]
            (a, attribute_label(a)) for a in ATTRIBUTES if include_gender or a not in SENSITIVE
        ]
        self.fields["by"].initial = list(DEFAULT_ATTRIBUTES)

    def attributes(self) -> tuple[str, ...]:
        """The chosen breakdowns, or the usual ones when none (or a wrong one) is given."""
        if self.is_bound and self.is_valid() and self.cleaned_data["by"]:
            return tuple(self.cleaned_data["by"])
        return DEFAULT_ATTRIBUTES
