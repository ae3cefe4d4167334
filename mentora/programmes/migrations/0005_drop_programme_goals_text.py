"""The free-text goals now live as goal rows (the previous migration copied every line)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0004_programme_goals"),
    ]

    operations = [
        migrations.RemoveField(model_name="programme", name="goals_text"),
    ]
