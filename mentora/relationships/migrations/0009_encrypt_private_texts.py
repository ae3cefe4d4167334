"""Encrypt the private texts already stored (see mentora/core/crypto.py), then read and
write them through EncryptedTextField. Reversible: backwards, the texts are decrypted
with the configured keys and stored in clear again."""

from django.db import migrations, models

import mentora.core.fields

ENCRYPT, DECRYPT = mentora.core.fields.encrypt_existing(
    {
        "relationships.Pair": ["end_reason"],
        "relationships.Agreement": ["learning_goals", "ways_of_working", "after_end"],
        "relationships.Meeting": [
            "agenda",
            "notes",
            "follow_up",
            "mentee_reflection",
            "mentor_reflection",
        ],
        "relationships.Goal": ["description"],
        "relationships.FollowUp": ["note"],
        "relationships.Closure": [
            "mentee_reflection",
            "mentor_reflection",
            "mentee_thanks",
            "mentor_thanks",
        ],
        "relationships.Story": ["title", "text"],
        "relationships.Feedback": ["text"],
    }
)


class Migration(migrations.Migration):
    dependencies = [
        ("relationships", "0008_merge_checkins_and_flash"),
    ]

    operations = [
        # The ciphertext of a title is longer than the 200 characters it was held to.
        migrations.AlterField(
            model_name="story",
            name="title",
            field=models.TextField(max_length=200, verbose_name="title"),
        ),
        migrations.RunPython(ENCRYPT, DECRYPT),
        migrations.AlterField(
            model_name="agreement",
            name="after_end",
            field=mentora.core.fields.EncryptedTextField(
                blank=True, verbose_name="what happens after the end"
            ),
        ),
        migrations.AlterField(
            model_name="agreement",
            name="learning_goals",
            field=mentora.core.fields.EncryptedTextField(
                verbose_name="what the mentee wants to learn"
            ),
        ),
        migrations.AlterField(
            model_name="agreement",
            name="ways_of_working",
            field=mentora.core.fields.EncryptedTextField(verbose_name="how you will work together"),
        ),
        migrations.AlterField(
            model_name="closure",
            name="mentee_reflection",
            field=mentora.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="closure",
            name="mentee_thanks",
            field=mentora.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="closure",
            name="mentor_reflection",
            field=mentora.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="closure",
            name="mentor_thanks",
            field=mentora.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="feedback",
            name="text",
            field=mentora.core.fields.EncryptedTextField(verbose_name="feedback"),
        ),
        migrations.AlterField(
            model_name="followup",
            name="note",
            field=mentora.core.fields.EncryptedTextField(blank=True, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="goal",
            name="description",
            field=mentora.core.fields.EncryptedTextField(
                blank=True, verbose_name="what success looks like"
            ),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="agenda",
            field=mentora.core.fields.EncryptedTextField(blank=True, verbose_name="agenda"),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="follow_up",
            field=mentora.core.fields.EncryptedTextField(
                blank=True, verbose_name="follow-up and the mentee's homework"
            ),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="mentee_reflection",
            field=mentora.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="mentor_reflection",
            field=mentora.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="notes",
            field=mentora.core.fields.EncryptedTextField(blank=True, verbose_name="notes"),
        ),
        migrations.AlterField(
            model_name="pair",
            name="end_reason",
            field=mentora.core.fields.EncryptedTextField(
                blank=True, verbose_name="reason for ending"
            ),
        ),
        migrations.AlterField(
            model_name="story",
            name="text",
            field=mentora.core.fields.EncryptedTextField(verbose_name="your story"),
        ),
        migrations.AlterField(
            model_name="story",
            name="title",
            field=mentora.core.fields.EncryptedTextField(max_length=200, verbose_name="title"),
        ),
    ]
