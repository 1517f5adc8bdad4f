"""Social-data columns encrypted with the household's data key (docs/security.md); existing rows
are encrypted here (the same routine as ``manage.py encrypt_existing``)."""

from django.db import migrations

import jcportal.core.fields
from jcportal.core.fields import seal_rows_migration


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_data_keys"),
        ("households", "0003_household_benefits_ended_on"),
    ]

    operations = [
        migrations.AlterField(
            model_name="household",
            name="iban",
            field=jcportal.core.fields.EncryptedCharField(
                blank=True, household_attr="pk", max_length=34, verbose_name="IBAN"
            ),
        ),
        migrations.RunPython(seal_rows_migration("households", "Household"), migrations.RunPython.noop),
    ]
