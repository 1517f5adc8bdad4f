"""Social-data columns encrypted with the household's data key (docs/security.md); existing rows
are encrypted here (the same routine as ``manage.py encrypt_existing``)."""

from django.db import migrations

import jcportal.core.fields
from jcportal.core.fields import seal_rows_migration


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_data_keys"),
        ("inbox", "0004_inbox_active_and_due_sort"),
    ]

    operations = [
        migrations.AlterField(
            model_name="inboxitem",
            name="note",
            field=jcportal.core.fields.EncryptedTextField(blank=True, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="inboxevent",
            name="note",
            field=jcportal.core.fields.EncryptedTextField(
                blank=True, household_attr="document.household_id", verbose_name="note"
            ),
        ),
        migrations.RunPython(seal_rows_migration("inbox", "InboxItem"), migrations.RunPython.noop),
        migrations.RunPython(seal_rows_migration("inbox", "InboxEvent"), migrations.RunPython.noop),
    ]
