"""Serve Mentora in production: check the configuration, then start gunicorn."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mentora.core.deployment import configuration_problems


def process_alive(pid: str) -> bool:
    if not re.fullmatch(r"[0-9]+", pid):
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Command(BaseCommand):
    help = (
        "Check that this configuration may serve real users (secret key, allowed hosts, "
        "database and migrations, compiled translations, collected static files), then "
        "serve it with gunicorn. Refuses to start, saying what to fix, when anything is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Only check; do not serve.")
        parser.add_argument(
            "--bind", help="Address to listen on (default: $BIND or 127.0.0.1:8000)."
        )
        parser.add_argument(
            "--workers", type=int, help="Server processes (default: 2 per core + 1)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = configuration_problems()
        if problems:
            raise CommandError(
                "Mentora will not start until this is fixed:\n"
                + "\n".join(f"  - {problem}" for problem in problems)
            )
        if options["check"]:
            self.stdout.write("The configuration is ready to serve.")
            return
        env = dict(os.environ)
        if options["bind"]:
            env["BIND"] = options["bind"]
        if options["workers"]:
            env["WEB_CONCURRENCY"] = str(options["workers"])
        # The server processes (and a task worker on this machine given the same folder)
        # share their metrics through files named by process id; the files of processes
        # that are gone are removed at each start, as prometheus_client requires.
        metrics_dir = Path(env.get("PROMETHEUS_MULTIPROC_DIR") or settings.VAR_DIR / "metrics")
        metrics_dir.mkdir(parents=True, exist_ok=True)
        for stale in metrics_dir.glob("*.db"):
            if not process_alive(stale.stem.rpartition("_")[2]):
                stale.unlink(missing_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        config = settings.BASE_DIR / "config" / "gunicorn.py"
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(config), "config.wsgi:application"]
        sys.stdout.flush()
        os.execve(sys.executable, gunicorn, env)
