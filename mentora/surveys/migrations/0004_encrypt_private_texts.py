"""Encrypt the private texts already stored (see mentora/core/crypto.py), then read and
write them through EncryptedTextField. Reversible: backwards, the texts are decrypted
with the configured keys and stored in clear again."""

from django.db import migrations

import mentora.core.fields

ENCRYPT, DECRYPT = mentora.core.fields.encrypt_existing({"surveys.Answer": ["text"]})


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_survey_closed_announced_at"),
    ]

    operations = [
        migrations.RunPython(ENCRYPT, DECRYPT),
        migrations.AlterField(
            model_name="answer",
            name="text",
            field=mentora.core.fields.EncryptedTextField(blank=True),
        ),
    ]
