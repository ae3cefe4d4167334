from typing import Any

from django.core.management.base import CommandParser

from mentora.accounts.management.base import OrganisationFileCommand
from mentora.accounts.models import Organisation
from mentora.reports.benchmark import benchmark_load


class Command(OrganisationFileCommand):
    help = "Load another installation's anonymised benchmark export for one organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--source", required=True, help="where the figures come from")

    def load(self, organisation: Organisation, data: Any, options: dict[str, Any]) -> str:
        count = benchmark_load(
            organisation=organisation, source=options["source"], data=data, actor=None
        )
        return f"Loaded {count} benchmark figures."
