"""Import people from an HR export: `manage.py import_people FILE --organisation SLUG`."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mentora.accounts.models import Organisation
from mentora.core.audit import audit_log
from mentora.people import services
from mentora.people.importer.files import ImportFileError
from mentora.people.importer.plan import apply_plan, plan_import
from mentora.people.importer.rows import parse_mapping


class ProgressBar:
    """A one-line progress bar on standard error."""

    def __init__(self, stream: Any = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.last = ""

    def __call__(self, stage: str, fraction: float) -> None:
        filled = int(self.width * min(max(fraction, 0.0), 1.0))
        line = f"\r{stage:<10} [{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%}"
        if line != self.last:
            self.stream.write(line)
            self.stream.flush()
            self.last = line

    def close(self) -> None:
        if self.last:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Import people from a CSV or XLSX export of an HR system (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, help="The organisation's short name.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="SOURCE=TARGET",
            help="Read the file's column SOURCE as Mentora's column TARGET (repeatable; saved).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")
        parser.add_argument(
            "--full", action="store_true", help="Mark people missing from the file as left."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the short name {options['organisation']!r}.")
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            mapping = parse_mapping(options["map"]) or services.mapping_for(organisation)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        bar = ProgressBar()
        progress = bar if not options["no_progress"] else (lambda stage, fraction: None)
        try:
            with path.open("rb") as stream:
                plan = plan_import(
                    organisation=organisation,
                    name=path.name,
                    stream=stream,
                    mapping=mapping,
                    full=options["full"],
                    progress=progress,
                )
        except ImportFileError as error:
            bar.close()
            raise CommandError(f"{path}: {error}") from None
        counts = plan.counts()
        if not plan.ok:
            bar.close()
            for problem in plan.problems:
                self.stderr.write(
                    f"{path.name}: row {problem.row}, column {problem.column}, "
                    f"value {problem.value!r}: {problem.reason}"
                )
            raise CommandError(f"{len(plan.problems)} problem(s); nothing was imported.")
        summary = (
            f"{counts['rows']} rows: {counts['created']} to create, {counts['updated']} to update, "
            f"{counts['marked_left']} to mark as left, {counts['unchanged']} unchanged."
        )
        if options["dry_run"]:
            bar.close()
            self.stdout.write(f"Dry run. {summary}")
            return
        with transaction.atomic():
            if options["map"]:
                services.mapping_save(organisation=organisation, mapping=mapping, actor=None)
            apply_plan(plan, progress=progress)
            audit_log(
                actor=None,
                action="people.import.apply",
                obj=organisation,
                changes={
                    "file": path.name,
                    "full": options["full"],
                    "counts": counts,
                    "via": "command line",
                    "os_user": getpass.getuser(),
                },
            )
        bar.close()
        self.stdout.write(f"Imported. {summary}")
