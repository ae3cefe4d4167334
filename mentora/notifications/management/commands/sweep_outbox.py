from typing import Any

from django.core.management.base import BaseCommand

from mentora.notifications.services import outbox_sweep


class Command(BaseCommand):
    help = (
        "Wake the task worker for e-mails due in the outbox (a safety net should a delivery "
        "task be lost) and clear the text of e-mails sent more than EMAIL_OUTBOX_KEEP_DAYS "
        "ago. Run it every minute from cron, e.g. "
        "`* * * * * cd /srv/mentora && .venv/bin/python manage.py sweep_outbox`."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        due, cleared = outbox_sweep()
        self.stdout.write(f"{due} e-mail(s) due, {cleared} sent e-mail(s) cleared.")
