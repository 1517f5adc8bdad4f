from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_encrypted_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="pipeline_state",
            field=models.CharField(blank=True, db_index=True, max_length=10),
        ),
    ]
