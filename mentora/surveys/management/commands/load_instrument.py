import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentora.accounts.models import Organisation
from mentora.surveys.services import instrument_import


class Command(BaseCommand):
    help = (
        "Load a licensed instrument (JSON with licence metadata and questions) that only "
        "the named organisation will see. It never ships with Mentora."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, help="the organisation's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = Organisation.objects.get(slug=options["organisation"])
        except Organisation.DoesNotExist:
            raise CommandError("No such organisation.") from None
        try:
            data = json.loads(options["file"].read_text(encoding="utf-8"))
            instrument = instrument_import(organisation=organisation, data=data, actor=None)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"Loaded {instrument.name} ({instrument.questions.count()} questions).")
