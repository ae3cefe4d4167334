# Events (workshops and the rest), their attendance and registrations move to the events
# app. Only Django's picture of the models changes here: the tables stay, with their rows,
# and `events.0001_take_over_event_tables` takes them over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0002_event_kinds_and_registrations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='EventRegistration'),
                migrations.DeleteModel(name='WorkshopAttendance'),
                migrations.DeleteModel(name='Workshop'),
            ],
            database_operations=[],
        ),
    ]
