"""The intake's hand-over to the clearing team is an event; items the pipeline once created directly
get their household / document type / received-at columns (they fell out of every inbox filter)."""

from django.db import migrations, models
from django.db.models import Q


def repair_columns(apps, schema_editor):  # type: ignore[no-untyped-def]
    InboxItem = apps.get_model("inbox", "InboxItem")
    broken = InboxItem.objects.filter(
        Q(household__isnull=True) | Q(doc_type="") | Q(received_at__isnull=True)
    ).select_related("document")
    for item in broken.iterator(chunk_size=500):
        document = item.document
        InboxItem.objects.filter(pk=item.pk).update(
            household_id=item.household_id or document.household_id,
            doc_type=item.doc_type or document.doc_type,
            received_at=item.received_at or document.received_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0005_encrypted_notes"),
        ("documents", "0004_dms_filing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="inboxevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("routed", "Routed"),
                    ("opened", "Opened"),
                    ("processed", "Marked as processed"),
                    ("reopened", "Reopened"),
                    ("forwarded", "Forwarded"),
                    ("reassigned", "Household assigned to another caseworker"),
                    ("clearing", "Handed to the clearing team"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(repair_columns, migrations.RunPython.noop),
    ]
