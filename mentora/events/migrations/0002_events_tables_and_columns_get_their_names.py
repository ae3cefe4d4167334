# The tables taken over from programmes get the events app's names, the foreign key to
# the event is called `event_id`, and the attendance constraint is named after events.
# Renames only: every row stays.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0001_take_over_event_tables'),
    ]

    operations = [
        migrations.AlterModelTable(name='event', table=None),
        migrations.AlterModelTable(name='attendance', table=None),
        migrations.AlterModelTable(name='eventregistration', table=None),
        migrations.AlterField(
            model_name='attendance',
            name='event',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='events.event'),
        ),
        migrations.AlterField(
            model_name='eventregistration',
            name='event',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='registrations', to='events.event'),
        ),
        migrations.RemoveConstraint(
            model_name='attendance',
            name='attendance_once_per_workshop',
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.UniqueConstraint(fields=('event', 'participant'), name='attendance_once_per_event'),
        ),
    ]
