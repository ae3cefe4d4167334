from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mentora.core.forms import ModelChoiceField, WholeNumberField
from mentora.people.models import label_related
from mentora.people.widgets import PersonPicker
from mentora.programmes.models import Participant, ParticipantRole
from mentora.rounds.models import MatchingRound

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


class CompareForm(forms.Form):
    """The other round of the same programme to compare with (`?with=`)."""

    def __init__(self, *args: Any, matching_round: MatchingRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["with"] = ModelChoiceField(
            queryset=MatchingRound.objects.filter(programme_id=matching_round.programme_id)
        )


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
