# The events app takes over the tables that programmes created for workshops, attendance
# and registrations, as they are (names, columns, constraints): no row moves. The next
# migration gives the tables and the event column their new names.

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('programmes', '0003_events_move_to_their_own_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Event',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('workshop', 'Workshop'), ('master_class', 'Master class'), ('peer_group', 'Peer-group meeting'), ('networking', 'Networking meeting')], default='workshop', max_length=20, verbose_name='kind')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('starts_at', models.DateTimeField(verbose_name='starts at')),
                        ('duration_minutes', models.PositiveSmallIntegerField(default=180, verbose_name='length in minutes')),
                        ('uid', models.UUIDField(default=uuid.uuid4, editable=False)),
                        ('place', models.CharField(blank=True, max_length=200, verbose_name='place')),
                        ('online_link', models.URLField(blank=True, verbose_name='online link')),
                        ('capacity', models.PositiveIntegerField(blank=True, null=True, verbose_name='capacity')),
                        ('required_for', models.CharField(choices=[('both', 'Mentors and mentees'), ('mentor', 'Mentors'), ('mentee', 'Mentees'), ('none', 'Optional for everyone')], default='both', max_length=10, verbose_name='required for')),
                        ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='programmes.programme')),
                    ],
                    options={
                        'verbose_name': 'event',
                        'verbose_name_plural': 'events',
                        'ordering': ['starts_at', 'pk'],
                        'db_table': 'programmes_workshop',
                    },
                ),
                migrations.CreateModel(
                    name='Attendance',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('attended', models.BooleanField(default=True, verbose_name='attended')),
                        ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('event', models.ForeignKey(db_column='workshop_id', on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='events.event')),
                        ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='programmes.participant')),
                    ],
                    options={
                        'verbose_name': 'attendance',
                        'verbose_name_plural': 'attendance',
                        'db_table': 'programmes_workshopattendance',
                        'constraints': [models.UniqueConstraint(fields=('event', 'participant'), name='attendance_once_per_workshop')],
                    },
                ),
                migrations.CreateModel(
                    name='EventRegistration',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('registered', 'Registered'), ('waitlisted', 'On the waiting list'), ('cancelled', 'Cancelled')], max_length=12)),
                        ('registered_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('event', models.ForeignKey(db_column='workshop_id', on_delete=django.db.models.deletion.CASCADE, related_name='registrations', to='events.event')),
                        ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='registrations', to='programmes.participant')),
                    ],
                    options={
                        'ordering': ['registered_at', 'pk'],
                        'db_table': 'programmes_eventregistration',
                        'constraints': [models.UniqueConstraint(fields=('event', 'participant'), name='registration_once_per_event')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
