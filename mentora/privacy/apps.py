from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "mentora.privacy"
    label = "privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        # Consents given through the pages of the apps below (a story, a recording) are
        # recorded here, and surveys leave out whoever withdrew their consent to them.
        from mentora.privacy import signals

        signals.connect()
