from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mentora.programmes.tasks import send_reminders


class Command(BaseCommand):
    help = (
        "Queue reminders for pending programme steps (invitations not answered, line-manager "
        "approvals, mentors waiting for screening). Run it daily from cron, e.g. "
        "`0 7 * * * cd /srv/mentora && .venv/bin/python manage.py send_reminders`; the worker "
        "sends the e-mails. Each participant is reminded at most every few days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Find the pending steps now instead of queueing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            count = send_reminders.call()
            self.stdout.write(f"Queued {count} reminder(s).")
        else:
            send_reminders.enqueue()
            self.stdout.write("Queued the reminder run.")
