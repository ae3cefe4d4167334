from typing import Any

from django.core.management.base import BaseCommand

from mentora.subject_requests.services.requests import access_requests_expire


class Command(BaseCommand):
    help = (
        "Delete the files of copies of people's data whose 14 days have passed; the requests "
        "stay on the organisation's list, as expired (run daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{access_requests_expire()} copy or copies expired.")
