import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentora.accounts.models import Organisation
from mentora.programmes.models import Programme
from mentora.reports.benchmark import export


class Command(BaseCommand):
    help = (
        "Print anonymised item aggregates (no names, no group under five) of an "
        "organisation's programmes, or of the whole installation, for another to load."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="limit to one organisation's programmes")

    def handle(self, *args: Any, **options: Any) -> None:
        programmes = Programme.objects.all()
        if options["organisation"]:
            try:
                organisation = Organisation.objects.get(slug=options["organisation"])
            except Organisation.DoesNotExist:
                raise CommandError("No such organisation.") from None
            programmes = programmes.filter(organisation=organisation)
        self.stdout.write(json.dumps(export(list(programmes)), indent=1))
