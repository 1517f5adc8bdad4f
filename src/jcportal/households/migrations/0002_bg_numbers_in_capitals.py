"""BG numbers are stored in capitals without spaces, so lookups are exact matches on the unique index."""

from django.db import migrations

from jcportal.households.models import normalise_bg_number  # a pure function, not the model


def normalise(apps, schema_editor):  # type: ignore[no-untyped-def]
    Household = apps.get_model("households", "Household")
    for household in Household.objects.only("pk", "bg_number").iterator():
        value = normalise_bg_number(household.bg_number)
        if value != household.bg_number:
            Household.objects.filter(pk=household.pk).update(bg_number=value)


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
