"""What every database benchmark does before it measures: take a database URL, start it
afresh and bring Django up on it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def add_database_argument(parser: argparse.ArgumentParser, name: str) -> None:
    """`--database`, by default `BENCH_DATABASE_URL` or a local PostgreSQL database `name`."""
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{name}"),
    )


def start_django(url: str, *, fresh: bool = True) -> None:
    """Drop and create the PostgreSQL database at `url` (a sqlite:/// URL is used as it is),
    set Django up on it and migrate. With `fresh` false, a database that exists is kept
    as it is (only migrated), so that a large one seeded before is measured again."""
    if url.startswith("postgres") and fresh:
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(
        DATABASE_URL=url, MENTORA_TESTING="1", DJANGO_SETTINGS_MODULE="config.settings"
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
