"""Move every private text to the newest encryption key, so older keys can be removed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentora.core import crypto
from mentora.core.rotation import ColumnProgress, rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every private text under the newest configured key (the first of "
        "MENTORA_ENCRYPTION_KEYS or of the key file), in batches of one transaction each. "
        "Safe to interrupt and run again: texts already under the newest key are skipped. "
        "With --generate-key, only print a new key to configure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows per transaction (default 500)."
        )
        parser.add_argument(
            "--generate-key", action="store_true", help="Print a new key and change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate_key"]:
            self.stdout.write(crypto.generate_key())
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            newest = crypto.keyring().newest_id
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Re-encrypting private texts under key {newest}.")

        def progress(column: ColumnProgress) -> None:
            self.stdout.write(f"  {column.label}: {column.rewritten} re-encrypted so far")

        try:
            columns = rotate_all(batch_size=options["batch_size"], on_batch=progress)
        except crypto.EncryptionError as exc:
            raise CommandError(str(exc)) from exc
        for column in columns:
            line = f"{column.label}: {column.rewritten} re-encrypted"
            if column.skipped:
                line += f", {column.skipped} locked by others (run again)"
            self.stdout.write(line)
        total = sum(column.rewritten for column in columns)
        left = sum(column.skipped for column in columns)
        self.stdout.write(
            f"{total} texts re-encrypted; "
            + ("every text is under the newest key." if not left else f"{left} left to do.")
        )
