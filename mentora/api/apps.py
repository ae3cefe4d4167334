from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "mentora.api"
    label = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        # Registers the token scheme with the OpenAPI document.
        from mentora.api import schema  # noqa: F401
