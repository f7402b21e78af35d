"""The one row of survey settings, with the defaults: ask after each solved ticket, two
hours later, on the customer's preferred channel, at most once a fortnight."""

from django.db import migrations


def row(apps, schema_editor):
    apps.get_model("support", "SurveySettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("support", "0008_surveys")]
    operations = [migrations.RunPython(row, migrations.RunPython.noop)]
