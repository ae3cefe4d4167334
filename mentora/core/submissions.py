"""Forms that create something act once, however often they are sent.

Each such form carries a one-time token (a hidden field, new every time the form is
drawn). The service that acts on it claims the token inside its own transaction: a
unique constraint lets the first claim through and turns every later one into
`AlreadySubmitted`, which the page answers with a friendly note instead of a duplicate.
If the service refuses, its transaction and the claim roll back together, so the user
can correct the form and send it again.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentora.core.models import FormSubmission


class AlreadySubmitted(Exception):
    """This form was already sent and acted on."""


def submission_field() -> forms.UUIDField:
    """The hidden one-time token of a form; a new one each time the form is drawn."""
    expired = _("This form is out of date. Reload the page and send it again.")
    return forms.UUIDField(
        # No id: a page holds many such forms, and a hidden input needs no label.
        widget=forms.HiddenInput(attrs={"id": False}),
        initial=uuid.uuid4,
        error_messages={"required": expired, "invalid": expired},
    )


def submission_claim(*, token: uuid.UUID | None, user: Any) -> None:
    """Claim a form's token in the caller's transaction; raise AlreadySubmitted if the
    same form was sent before. No token (a script calling the service) claims nothing."""
    if token is None:
        return
    try:
        # A savepoint, so that a lost claim leaves the caller's transaction usable.
        with transaction.atomic():
            FormSubmission.objects.create(
                token=token, user=user if getattr(user, "pk", None) else None
            )
    except IntegrityError:
        raise AlreadySubmitted from None


def already_sent(request: HttpRequest) -> None:
    """What the user reads when the same form arrived twice."""
    messages.info(request, gettext("This was already sent, so it was saved only once."))
