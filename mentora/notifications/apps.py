from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "mentora.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Accounts sits below this app, so it reaches the inbox through core's door.
        from mentora.core import mail
        from mentora.core.task_backend import workers_checked
        from mentora.notifications.services import notify

        mail.connect(notify)
        workers_checked.connect(_outbox_take_over, dispatch_uid="outbox_take_over")


def _outbox_take_over(sender: Any, *, alive: set[str], cutoff: dt.datetime, **kwargs: Any) -> None:
    # The e-mails a dead worker claimed go as soon as any other worker's heartbeat sees it.
    from mentora.notifications.services import outbox_take_over

    outbox_take_over(alive=alive, cutoff=cutoff)
