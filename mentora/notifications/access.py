"""Who may see or change a notification: only the person it was written to."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from mentora.notifications.models import Notification


def access_notification(user: Any, notification_id: int) -> Notification:
    """One of `user`'s own notifications. Anyone else's is missing (404), the same as one
    that does not exist: an inbox is nobody else's business, staff included."""
    return get_object_or_404(Notification, pk=notification_id, user_id=user.pk)
