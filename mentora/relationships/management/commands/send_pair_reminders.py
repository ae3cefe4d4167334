from typing import Any

from django.core.management.base import BaseCommand

from mentora.relationships.services.checkins import checkins_due
from mentora.relationships.services.experts import experts_check_quiet
from mentora.relationships.services.flash import flash_followups_send
from mentora.relationships.services.meetings import agenda_reminders, recordings_purge
from mentora.relationships.services.support import pairs_escalate


class Command(BaseCommand):
    help = (
        "Remind mentees to send agendas, ask both members 'Did you meet?' the day after each "
        "meeting, climb the escalation ladder of quiet pairs, ask quiet experts how it is "
        "going, ask learners whether their flash conversations were useful, and delete "
        "recordings whose deletion date has come (run daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        agendas = agenda_reminders()
        asked = checkins_due()
        ladder = pairs_escalate()
        purged = recordings_purge()
        experts = experts_check_quiet()
        followups = flash_followups_send()
        self.stdout.write(
            f"{agendas} agenda reminder(s), {asked} meeting check-in(s), "
            f"{ladder['nudge']} nudge(s), {ladder['mentor_note']} note(s) to mentors, "
            f"{ladder['manager_alert']} alert(s) to programme teams, {purged} recording(s) "
            f"deleted, {experts} quiet expert(s) asked, {followups} flash follow-up(s) sent."
        )
