"""One way to tell the user why something was refused: its messages, on the next page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def refusal(request: HttpRequest, reason: ValidationError | forms.BaseForm) -> None:
    """A service's refusal (one message), or a form's problems (one message per field)."""
    if isinstance(reason, forms.BaseForm):
        for problems in reason.errors.values():
            messages.error(request, " ".join(str(problem) for problem in problems))
    else:
        messages.error(request, " ".join(reason.messages))
