from django.db import migrations

from samphan.core.search import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [CreateSearchIndex("customers_customer")]
