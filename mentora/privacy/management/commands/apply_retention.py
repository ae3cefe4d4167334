from typing import Any

from django.core.management.base import BaseCommand

from mentora.privacy.services import retention_apply_all


class Command(BaseCommand):
    help = (
        "Delete what each organisation's retention schedule says is due, and record a run "
        "report for its administrators (run daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        runs = retention_apply_all()
        removed = sum(run.total for run in runs)
        self.stdout.write(f"{len(runs)} organisation(s), {removed} item(s) removed.")
