from django.db import migrations, models


def fill(apps, schema_editor):
    # The records already there: the same set-based statements as `samphan consents_rebuild`.
    from samphan.customers.services import consents_rebuild

    consents_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_customer_province_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="consent_bits",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
