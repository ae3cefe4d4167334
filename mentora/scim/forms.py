"""Every input of the SCIM API and of the tokens page goes through one of these forms:
the attributes of a User or a Group (flattened from the JSON), a list's paging and filter,
and the name of a new token."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentora.core.forms import WholeNumberField
from mentora.scim.protocol import MAX_RESULTS


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Where the token is used, for example “Entra ID” or “Okta”."),
    )


class ListForm(forms.Form):
    """`startIndex`, `count` and `filter` of a list request (RFC 7644, sections 3.4.2.2 and
    3.4.2.4): a start below 1 means 1, a negative count means 0."""

    startIndex = WholeNumberField(min_value=-(2**31), max_value=2**31, required=False)  # noqa: N815
    count = WholeNumberField(min_value=-(2**31), max_value=2**31, required=False)
    filter = forms.CharField(max_length=1000, required=False)
    excludedAttributes = forms.CharField(max_length=1000, required=False)  # noqa: N815

    def page(self) -> tuple[int, int]:
        """(start, count), within bounds."""
        start = self.cleaned_data.get("startIndex") or 1
        count = self.cleaned_data.get("count")
        count = MAX_RESULTS if count is None else count
        return max(start, 1), min(max(count, 0), MAX_RESULTS)


class UserForm(forms.Form):
    """A User's attributes, flattened from the resource by `users.flatten`."""

    userName = forms.CharField(max_length=254)  # noqa: N815
    externalId = forms.CharField(max_length=254, required=False)  # noqa: N815
    givenName = forms.CharField(max_length=100, required=False)  # noqa: N815
    familyName = forms.CharField(max_length=100, required=False)  # noqa: N815
    displayName = forms.CharField(max_length=201, required=False)  # noqa: N815
    email = forms.EmailField(max_length=254, required=False)
    title = forms.CharField(max_length=200, required=False)
    active = forms.NullBooleanField(required=False)
    employeeNumber = forms.CharField(max_length=64, required=False)  # noqa: N815
    manager = forms.CharField(max_length=20, required=False)


class GroupForm(forms.Form):
    displayName = forms.CharField(max_length=200)  # noqa: N815
