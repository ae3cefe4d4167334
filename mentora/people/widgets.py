"""People pickers: a `<select>` that `static/js/picker.js` turns into a combobox.

Without JavaScript the field stays the plain `<select>` it is. With it, the select is
hidden and a text box takes its place (the WAI-ARIA combobox pattern): typing filters the
select's own options, or, given `search_url` (the organisation's `people_search`), asks
the server, so that a field over a whole directory never lists it in the page. Either way
the chosen value is the select's, and the form's own field (a `ModelChoiceField` limited
to whom may be chosen) decides whether it stands: a forged id is refused there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.http import HttpRequest, JsonResponse

from mentora.core.forms import parse_id
from mentora.people.forms import PersonSearchForm

# The most people a picker offers at once: more means typing more.
SEARCH_RESULTS = 20


class PersonPicker(forms.Select):
    """One person (or anything chosen by a person's name), searched as one types."""

    def __init__(
        self, attrs: dict[str, Any] | None = None, choices: Any = (), *, search_url: str = ""
    ) -> None:
        super().__init__(attrs, choices)
        self.search_url = search_url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-picker"] = "search" if self.search_url else "options"
        if self.search_url:
            widget_attrs["data-picker-url"] = self.search_url
            # Its options are only those chosen: without JavaScript, the form offers
            # another way (a list of e-mail addresses, say) and this field stays out of it.
            widget_attrs["hidden"] = True
        return context

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        if not self.search_url or not isinstance(self.choices, ModelChoiceIterator):
            return super().optgroups(name, value, attrs)
        # A search over a directory renders the people already chosen, never all of them.
        field = self.choices.field
        ids = [pk for pk in (parse_id(item) for item in value) if pk is not None]
        everyone = self.choices
        self.choices = [
            (
                ModelChoiceIteratorValue(field.prepare_value(obj), obj),
                field.label_from_instance(obj),
            )
            for obj in everyone.queryset.filter(pk__in=ids)
        ]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = everyone


class PeoplePicker(PersonPicker, forms.SelectMultiple):
    """Several people: each one chosen is listed with a button that removes it."""


def picker_answer(
    request: HttpRequest, find: Callable[[str, int], Sequence[tuple[int, Any]]]
) -> JsonResponse:
    """The picker's answer to `?q=`: the first `SEARCH_RESULTS` of what `find(text, limit)`
    gives (the value the form chooses, and its person), each with what tells them apart.
    A query the form refuses answers 400 with the reason; nothing typed finds nobody."""
    form = PersonSearchForm(request.GET)
    if not form.is_valid():
        refusal = " ".join(str(error) for error in form.errors["q"])
        return JsonResponse({"error": refusal}, status=400)
    text = form.cleaned_data["q"]
    if not text.split():
        return JsonResponse({"results": [], "more": False})
    found = find(text, SEARCH_RESULTS + 1)
    return JsonResponse(
        {
            "results": [
                {
                    "id": value,
                    "name": person.full_name,
                    "job_title": person.job_title,
                    "unit": person.org_unit.name if person.org_unit else "",
                    "organisation": person.organisation.name,
                    "label": person.label,
                }
                for value, person in found[:SEARCH_RESULTS]
            ],
            "more": len(found) > SEARCH_RESULTS,
        }
    )
