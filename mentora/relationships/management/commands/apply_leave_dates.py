from typing import Any

from django.core.management.base import BaseCommand

from mentora.relationships.services.leaving import leave_dates_apply


class Command(BaseCommand):
    help = (
        "End the participations of people whose HR leave date has come, close their pairs "
        "and tell their partners and programme managers (run daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ended = leave_dates_apply()
        self.stdout.write(f"{ended} participation(s) ended by a leave date.")
