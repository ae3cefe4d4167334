from typing import Any

from django.core.management.base import BaseCommand

from mentora.relationships.services.experts import experts_check_quiet
from mentora.relationships.services.flash import flash_followups_send
from mentora.relationships.services.meetings import agenda_reminders, recordings_purge
from mentora.relationships.services.support import nudge_quiet_pairs


class Command(BaseCommand):
    help = (
        "Remind mentees to send agendas, nudge quiet pairs, ask quiet experts how it is going "
        "ask learners whether their flash conversations were useful, and delete recordings "
        "whose deletion date has come (run daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        agendas = agenda_reminders()
        nudges = nudge_quiet_pairs()
        purged = recordings_purge()
        experts = experts_check_quiet()
        followups = flash_followups_send()
        self.stdout.write(
            f"{agendas} agenda reminder(s), {nudges} nudge(s), {purged} recording(s) deleted, "
            f"{experts} quiet expert(s) asked, {followups} flash follow-up(s) sent."
        )
