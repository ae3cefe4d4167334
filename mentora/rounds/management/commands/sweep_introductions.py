from typing import Any

from django.core.management.base import BaseCommand

from mentora.rounds.services.introductions import introductions_sweep


class Command(BaseCommand):
    help = "Remind about unanswered introductions and expire overdue ones (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = introductions_sweep()
        self.stdout.write(f"{counts['reminded']} reminded, {counts['expired']} expired.")
