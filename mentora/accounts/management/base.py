"""What the commands that load a file for one organisation share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentora.accounts.models import Organisation


def command_organisation(slug: str) -> Organisation:
    """The organisation a command names by its slug, or the command's error."""
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise CommandError("No such organisation.") from None


class OrganisationFileCommand(BaseCommand):
    """Load a JSON file for the organisation named by `--organisation`, through a service.

    A file that cannot be read or parsed, and data the service refuses, end the command
    with an error that says why; `load` does the rest."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, help="the organisation's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = command_organisation(options["organisation"])
        try:
            data = json.loads(options["file"].read_text(encoding="utf-8"))
            loaded = self.load(organisation, data, options)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(loaded)

    def load(self, organisation: Organisation, data: Any, options: dict[str, Any]) -> str:
        """Load the file's data for the organisation, and say what was loaded."""
        raise NotImplementedError
