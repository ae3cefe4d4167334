from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "mentora.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Accounts sits below this app, so it reaches the inbox through core's door.
        from mentora.core import mail
        from mentora.notifications.services import notify

        mail.connect(notify)
