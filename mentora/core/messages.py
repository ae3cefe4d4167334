"""One way to tell the user why a service refused: its messages, on the next page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def refusal(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))
