"""Social-data columns encrypted with the household's data key (docs/security.md); existing rows
are encrypted here (the same routine as ``manage.py encrypt_existing``)."""

from django.db import migrations

import jcportal.core.fields
from jcportal.core.fields import seal_rows_migration


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_data_keys"),
        ("documents", "0004_dms_filing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="document",
            name="note",
            field=jcportal.core.fields.EncryptedTextField(blank=True, verbose_name="note to the caseworker"),
        ),
        migrations.AlterField(
            model_name="document",
            name="ocr_text",
            field=jcportal.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(seal_rows_migration("documents", "Document"), migrations.RunPython.noop),
    ]
