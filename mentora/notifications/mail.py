"""E-mail to users: HTML with a plain-text alternative, always in the recipient's language.

The plain text is rendered with autoescaping off (it is not HTML, so O'Brien stays
O'Brien); the HTML part is that same text, escaped, inside one layout designed like the
app, with a button for the link to act and a footer link to the person's preferences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

Attachment = tuple[str, bytes, str]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str


def language_of(user: Any) -> str:
    return user.language or settings.LANGUAGE_CODE


def render_text(name: str, context: dict[str, Any]) -> str:
    """A plain-text template rendered without HTML escaping.

    Returned as a plain string, not marked safe: the HTML part escapes it."""
    template = engines["django"].engine.get_template(name)  # type: ignore[attr-defined]
    return str.__str__(template.render(Context(context, autoescape=False)))


def one_line(text: str) -> str:
    return " ".join(text.split())


def render_message(*, user: Any, template: str, context: dict[str, Any]) -> Rendered:
    """`<template>_subject.txt` and `<template>_body.txt`, in the user's language."""
    with translation.override(language_of(user)):
        full_context = {"user": user, "site_root": settings.SITE_ROOT, **context}
        subject = render_text(f"{template}_subject.txt", full_context)
        text = render_text(f"{template}_body.txt", full_context)
    return Rendered(subject=one_line(subject), text=text)


def absolute(link: str) -> str:
    return f"{settings.SITE_ROOT}{link}" if link else ""


def render_html(
    *, user: Any, subject: str, html_template: str, html_context: dict[str, Any]
) -> str:
    """The HTML part of an e-mail to `user`, in their language."""
    with translation.override(language_of(user)):
        return render_to_string(
            html_template,
            {
                "subject": subject,
                "site_name": settings.SITE_NAME,
                "site_root": settings.SITE_ROOT,
                "language": language_of(user),
                "preferences_url": absolute(reverse("notification_preferences")),
                **html_context,
            },
        )
