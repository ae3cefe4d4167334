"""One way to confirm an action that cannot be undone: a required "I understand" tick in
the form itself, checked on the server. It needs no JavaScript and no second page; the
partial `core/_confirm.html` draws the tick."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentora.core.messages import Success, attempt, submit


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand this cannot be undone."))


def confirmed(request: HttpRequest) -> bool:
    """Whether the POST carries the tick; if not, the user is told that nothing changed
    and why, on the page they return to."""
    if ConfirmForm(request.POST).is_valid():
        return True
    messages.error(
        request,
        gettext(
            "Nothing was changed: tick “I understand this cannot be undone” to confirm, "
            "then send again."
        ),
    )
    return False


def run_confirmed(
    request: HttpRequest,
    service: Callable[..., Any],
    /,
    *,
    form: forms.BaseForm | None = None,
    success: Success = None,
    **arguments: Any,
) -> bool:
    """Once the POST carries the tick, ``submit`` the form to the service (``attempt`` it,
    with no form); the outcome becomes a message. True when the service ran to the end."""
    if not confirmed(request):
        return False
    if form is None:
        return attempt(request, service, success=success, **arguments)
    return submit(request, form, service, success=success, **arguments)
