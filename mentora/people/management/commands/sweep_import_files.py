from typing import Any

from django.core.management.base import BaseCommand

from mentora.people.services import import_files_sweep


class Command(BaseCommand):
    help = (
        "Delete uploaded HR files that are no longer needed: those of finished imports, and "
        "any older than 7 days, whose import is then cancelled (run daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = import_files_sweep()
        self.stdout.write(f"{counts['deleted']} file(s) deleted, {counts['expired']} expired.")
