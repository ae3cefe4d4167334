from django.db import migrations


def load(apps, schema_editor):
    from mentora.relationships.toolbox import load_library

    load_library(apps.get_model("relationships", "Tool"))


def unload(apps, schema_editor):
    apps.get_model("relationships", "Tool").objects.filter(programme__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("relationships", "0003_groups_workspace_support")]

    operations = [migrations.RunPython(load, unload)]
