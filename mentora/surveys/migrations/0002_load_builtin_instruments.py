from typing import Any

from django.db import migrations

from mentora.surveys.builtin_instruments import load_builtin_instruments


def load(apps: Any, schema_editor: Any) -> None:
    load_builtin_instruments(apps)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_instruments_surveys_and_responses")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
