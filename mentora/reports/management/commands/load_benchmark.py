import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentora.accounts.models import Organisation
from mentora.reports.benchmark import benchmark_load


class Command(BaseCommand):
    help = "Load another installation's anonymised benchmark export for one organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True)
        parser.add_argument("--source", required=True, help="where the figures come from")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = Organisation.objects.get(slug=options["organisation"])
        except Organisation.DoesNotExist:
            raise CommandError("No such organisation.") from None
        try:
            data = json.loads(options["file"].read_text(encoding="utf-8"))
            count = benchmark_load(
                organisation=organisation, source=options["source"], data=data, actor=None
            )
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"Loaded {count} benchmark figures.")
