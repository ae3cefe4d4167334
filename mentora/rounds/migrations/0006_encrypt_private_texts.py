"""Encrypt the private texts already stored (see mentora/core/crypto.py), then read and
write them through EncryptedTextField. Reversible: backwards, the texts are decrypted
with the configured keys and stored in clear again."""

from django.db import migrations

import mentora.core.fields

ENCRYPT, DECRYPT = mentora.core.fields.encrypt_existing({"rounds.Introduction": ["decline_reason"]})


class Migration(migrations.Migration):
    dependencies = [
        ("rounds", "0005_merge_on_demand_and_order_check"),
    ]

    operations = [
        migrations.RunPython(ENCRYPT, DECRYPT),
        migrations.AlterField(
            model_name="introduction",
            name="decline_reason",
            field=mentora.core.fields.EncryptedTextField(blank=True),
        ),
    ]
