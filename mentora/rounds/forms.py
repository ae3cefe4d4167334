from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class IntroduceForm(forms.Form):
    """Mutual opt-in: how long both sides have to answer an introduction."""

    days = forms.IntegerField(
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
