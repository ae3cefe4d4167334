"""E-mail to users, always in the recipient's own language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def send_to_user(
    *,
    user: Any,
    template: str,
    context: dict[str, Any],
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> None:
    """Render `<template>_subject.txt` and `<template>_body.txt` in the user's language and
    send, with optional (file name, content, MIME type) attachments."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        full_context = {"user": user, "site_root": settings.SITE_ROOT, **context}
        subject = render_to_string(f"{template}_subject.txt", full_context)
        body = render_to_string(f"{template}_body.txt", full_context)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    for name, content, mimetype in attachments or []:
        message.attach(name, content, mimetype)
    message.send()
