from __future__ import annotations

from typing import Any

from django import forms

from mentora.notifications.kinds import KINDS
from mentora.notifications.services import channels_for


class PreferencesForm(forms.Form):
    """One choice of delivery per kind a person may choose for; kinds with a single
    delivery (a password reset) are shown, not asked."""

    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, kind in KINDS.items():
            choices = channels_for(kind)
            if len(choices) < 2:
                continue
            self.fields[key] = forms.ChoiceField(
                label=str(kind.label),
                choices=[(channel.value, channel.label) for channel in choices],
                initial=current[key],
                # A kind left out of the post keeps its delivery.
                required=False,
            )

    def chosen(self) -> dict[str, str]:
        return {key: channel for key, channel in self.cleaned_data.items() if channel}

    def fixed(self) -> list[Any]:
        """The kinds that always come by e-mail, for the page to say so."""
        return [kind for key, kind in KINDS.items() if key not in self.fields]
