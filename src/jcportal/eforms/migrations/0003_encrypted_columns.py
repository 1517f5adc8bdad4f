"""Social-data columns encrypted with the household's data key (docs/security.md); existing rows
are encrypted here (the same routine as ``manage.py encrypt_existing``)."""

from django.db import migrations

import jcportal.core.fields
from jcportal.core.fields import seal_rows_migration


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_data_keys"),
        ("eforms", "0002_submission_replies"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="data",
            field=jcportal.core.fields.EncryptedJSONField(blank=True, default=dict, verbose_name="answers"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="partial",
            field=jcportal.core.fields.EncryptedJSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="submission",
            name="decision_note",
            field=jcportal.core.fields.EncryptedTextField(
                blank=True, verbose_name="message from the Jobcenter"
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="replies",
            field=jcportal.core.fields.EncryptedJSONField(blank=True, default=list),
        ),
        migrations.RunPython(seal_rows_migration("eforms", "Submission"), migrations.RunPython.noop),
    ]
