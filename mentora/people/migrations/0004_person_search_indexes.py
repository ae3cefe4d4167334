"""Indexes for the people search (`PersonQuerySet.matching`) on PostgreSQL.

A case-insensitive prefix lookup is `UPPER(column::text) LIKE 'ABC%'`; PostgreSQL answers
it from a B-tree index on that same expression, with the `text_pattern_ops` operator class
so that the index serves LIKE whatever the database's collation. SQLite has no operator
classes and scans its (small) directories, so nothing is created there.
"""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "email", "employee_id")


def _name(column: str) -> str:
    return f"person_{column}_prefix"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_name(column)} ON people_person "
            f"(organisation_id, UPPER({column}::text) text_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_name(column)}")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_importrun_file_deleted_when_done_and_cancelled_status"),
    ]

    operations = [migrations.RunPython(create, drop)]
