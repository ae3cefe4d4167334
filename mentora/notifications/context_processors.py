from functools import cache
from typing import Any

from django.http import HttpRequest

from mentora.notifications.models import Notification


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the header; counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread() -> int:
        return Notification.objects.filter(user_id=user.pk).unread().count()

    return {"notifications_unread": unread}
