from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mentora.surveys.tasks import remind_surveys


class Command(BaseCommand):
    help = (
        "Send surveys that have opened and remind invitees who have not answered an open "
        "survey (at most every `reminder_days` days). Run it daily from cron; the worker "
        "sends the e-mails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Send now instead of queueing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            count = remind_surveys.call()
            self.stdout.write(f"Sent {count} e-mail(s).")
        else:
            remind_surveys.enqueue()
            self.stdout.write("Queued the survey reminder run.")
