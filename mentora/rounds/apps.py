from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "mentora.rounds"
    label = "rounds"
    verbose_name = _("Matching rounds")

    def ready(self) -> None:
        # Programmes sit below rounds: they say when a mentee is ready, rounds match them.
        from mentora.programmes.signals import mentee_ready
        from mentora.rounds.services.rounds import match_when_ready

        mentee_ready.connect(match_when_ready, dispatch_uid="rounds.match_when_ready")
