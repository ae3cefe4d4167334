from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mentora.core.forms import ModelMultipleChoiceField
from mentora.people.importer.files import ImportFileError, check_size
from mentora.people.importer.rows import COLUMNS, parse_mapping


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("HR export (CSV or XLSX)"),
        help_text=_("One row per person. The first row names the columns."),
    )
    full = forms.BooleanField(
        label=_("This is a full export"),
        required=False,
        help_text=_("People missing from the file are marked as left (never deleted)."),
    )
    mapping = forms.CharField(
        label=_("Column names in your file"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only if your file names columns differently: one SOURCE=TARGET per line, for "
            "example Personnummer=employee_id. Saved for the next import."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mapping"].help_text = (
            str(self.fields["mapping"].help_text)
            + " "
            + str(_("Mentora's columns: %(columns)s.") % {"columns": ", ".join(COLUMNS)})
        )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise ValidationError(_("Upload a CSV or XLSX file."))
        try:
            # Refused here, so a file over the limit is never stored.
            check_size(uploaded.size)
        except ImportFileError as error:
            raise ValidationError(str(error)) from None
        return uploaded

    def clean_mapping(self) -> dict[str, str]:
        return parse_mapping(self.cleaned_data["mapping"].splitlines())


# What a search of the directory may be given: a name, an e-mail address, an employee id.
SEARCH_LENGTH = 100


class PersonSearchForm(forms.Form):
    """What was typed into a people picker (`?q=`): nothing typed finds nobody."""

    q = forms.CharField(
        required=False,
        max_length=SEARCH_LENGTH,
        error_messages={"max_length": _("Type at most 100 characters to search for someone.")},
    )


class PeopleField(ModelMultipleChoiceField):
    """People chosen from a directory, each named with what tells them apart."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)
