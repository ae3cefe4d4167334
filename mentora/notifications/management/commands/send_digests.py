from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mentora.notifications.tasks import send_digests


class Command(BaseCommand):
    help = (
        "Queue the daily digest e-mail for everyone who chose a digest and has notifications "
        "waiting since their last one. Run it daily from cron, e.g. "
        "`0 6 * * * cd /srv/mentora && .venv/bin/python manage.py send_digests`; the worker "
        "sends the e-mails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Find who is waiting now instead of queueing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            count = send_digests.call()
            self.stdout.write(f"Queued {count} digest(s).")
        else:
            send_digests.enqueue()
            self.stdout.write("Queued the digest run.")
