"""The door to a user's notifications for the apps below the notifications app.

Sending lives in `mentora.notifications` (an inbox entry, and an e-mail as the person
prefers). Accounts sits below it in the layers, yet invites people and resets their
passwords, so it calls `notify_user` here, and the notifications app connects itself
when Django starts. Every other app calls `mentora.notifications.services.notify`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_notify: Callable[..., Any] | None = None


def connect(notify: Callable[..., Any]) -> None:
    global _notify
    _notify = notify


def notify_user(
    *,
    user: Any,
    template: str,
    context: dict[str, Any],
    link: str = "",
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> Any:
    """Notify `user` as `mentora.notifications.services.notify` does."""
    if _notify is None:
        raise ImproperlyConfigured("mentora.notifications is not installed")
    return _notify(
        user=user, template=template, context=context, link=link, attachments=attachments
    )
