import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mentora.accounts.management.base import command_organisation
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
            organisation = command_organisation(options["organisation"])
            programmes = programmes.filter(organisation=organisation)
        self.stdout.write(json.dumps(export(list(programmes)), indent=1))
