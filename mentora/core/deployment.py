"""What a production server needs before it may start, each as a sentence saying how to
fix it. `manage.py mentora_serve` refuses to start while any is missing."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from mentora.core.crypto import key_problems
from mentora.core.i18n import catalogues

# The key settings.py falls back to in development and tests.
DEVELOPMENT_KEYS = {"insecure-development-key-only-for-debug-and-tests"}


def configuration_problems() -> list[str]:
    """Everything that stops this configuration from serving real users safely."""
    problems = []
    if settings.DEBUG:
        problems.append(
            "DEBUG is on: it shows tracebacks to visitors. Unset DEBUG (or set DEBUG=0)."
        )
    if settings.SECRET_KEY in DEVELOPMENT_KEYS or len(settings.SECRET_KEY) < 32:
        problems.append(
            "SECRET_KEY is missing or too short: set it to at least 32 random characters, "
            "for example what this prints: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    if not os.environ.get("ALLOWED_HOSTS", "").strip() or "*" in settings.ALLOWED_HOSTS:
        problems.append(
            "ALLOWED_HOSTS is not set: name the host names people reach Mentora at, "
            "separated by commas (never *)."
        )
    # Without its key, no private text could be written or read back.
    problems += key_problems()
    problems += database_problems()
    problems += translation_problems()
    problems += static_problems()
    return problems


def database_problems() -> list[str]:
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return [
            f"The database cannot be reached ({type(exc).__name__}: {exc}). Check DATABASE_URL."
        ]
    if pending:
        return [
            f"{len(pending)} database migrations have not run: run `manage.py migrate` "
            "(the release notes say which need downtime)."
        ]
    return []


def translation_problems() -> list[str]:
    stale = []
    for po in catalogues():
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(str(po.relative_to(settings.BASE_DIR)))
    if stale:
        return [
            f"The translations are not compiled ({', '.join(stale)}): run "
            "`manage.py compile_translations`."
        ]
    return []


def static_problems() -> list[str]:
    """Every file the apps ship must have been collected, or pages would miss their
    styles and scripts (and, with the manifest, answer 500)."""
    root = Path(settings.STATIC_ROOT)
    missing = [
        path
        for finder in finders.get_finders()
        for path, _storage in finder.list(["CVS", ".*", "*~"])
        if not (root / path).exists()
    ]
    if settings.STATIC_MANIFEST and not (root / "staticfiles.json").exists():
        missing.append("staticfiles.json")
    if missing:
        return [
            f"{len(missing)} static files have not been collected (for example "
            f"{sorted(missing)[0]}): run `manage.py collectstatic --noinput`."
        ]
    return []
