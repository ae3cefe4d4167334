import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mentora.demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo organisation and one login per role (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=400, help="Size of the organisation.")

    def handle(self, *args: Any, people: int, **options: Any) -> None:
        started = time.perf_counter()
        summary = seed_demo(people=people)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Demo organisation {summary.organisation.name}: {summary.people} people "
            f"({summary.created} created, {summary.updated} updated) in {seconds:.1f} s."
        )
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for email, role in summary.logins:
            self.stdout.write(f"  {email:28} {role}")
