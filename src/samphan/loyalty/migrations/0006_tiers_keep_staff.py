"""An installation whose staff already gave customers tiers keeps them: its programme says
"tiers set by staff" until the owner switches to tiers earned by spend (a fresh one earns
them by spend from the start)."""

from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Programme = apps.get_model("loyalty", "Programme")
    if not Customer.objects.exclude(tier="none").exists():
        return
    if Programme.objects.exists():
        Programme.objects.update(tiers_by="staff")
    else:
        Programme.objects.create(baht_per_point=settings.SAMPHAN_BAHT_PER_POINT, tiers_by="staff")


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0005_tiers"), ("customers", "0024_import_failed_rows")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
