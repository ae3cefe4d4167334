"""One way to tell the user how a posted change went: its messages, on the next page.

A view that takes a post validates a form, calls one service and shows the outcome.
``submit`` and ``attempt`` do that in one line, so each view reads as what it does:

    submit(request, GoalForm(request.POST), goals.goal_add, pair=pair, actor=request.user,
           success=_("The goal is added."))
    return redirect("pair_workspace", pair_id=pair.pk)

A page that shows its form again on a refusal calls ``run_on_form`` instead: the
service's refusal becomes the form's own error, shown with it. A view that turns the form
into the service's arguments itself checks it with ``valid`` first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from mentora.core.submissions import AlreadySubmitted, already_sent

T = TypeVar("T")


def refusal(request: HttpRequest, reason: ValidationError | forms.BaseForm) -> None:
    """A service's refusal (one message), or a form's problems (one message per field)."""
    if isinstance(reason, forms.BaseForm):
        for problems in reason.errors.values():
            messages.error(request, " ".join(str(problem) for problem in problems))
    else:
        messages.error(request, " ".join(reason.messages))


def valid(request: HttpRequest, form: forms.BaseForm) -> bool:
    """Whether a bound form is valid; if not, its problems are shown as messages."""
    if form.is_valid():
        return True
    refusal(request, form)
    return False


# The success message, or a function that words it from what the service returned.
Success = str | Callable[[Any], str] | None


def attempt(
    request: HttpRequest,
    service: Callable[..., Any],
    /,
    *,
    success: Success = None,
    **arguments: Any,
) -> bool:
    """Run a service; its refusal, a repeated submission or ``success`` becomes a message.

    True when the service ran to the end.
    """
    try:
        result = service(**arguments)
    except AlreadySubmitted:
        already_sent(request)
        return False
    except ValidationError as error:
        refusal(request, error)
        return False
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return True


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    service: Callable[..., Any],
    /,
    *,
    success: Success = None,
    **arguments: Any,
) -> bool:
    """Validate a bound form, then run the service with its cleaned data and ``arguments``."""
    if not valid(request, form):
        return False
    return attempt(request, service, success=success, **arguments, **form.cleaned_data)


def run_on_form(form: forms.BaseForm, service: Callable[..., T], /, **arguments: Any) -> T | None:
    """Run a service for a valid form; its refusal becomes the form's own error, shown with it.

    The service's result, or None when it refused. A form page calls this where a page that
    only posts calls ``submit``.
    """
    try:
        return service(**arguments)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None
