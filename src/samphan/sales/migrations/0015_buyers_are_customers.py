"""A one-off fix: leads and prospects who have a paid order become customers, as a paid
order makes them from now on (``samphan.customers.lifecycle``); each with an audit row.
Set-based: an INSERT … SELECT of the audit rows, then one UPDATE, per stage left."""

import json
from typing import Any

from django.db import migrations
from django.db.models import Exists, OuterRef
from django.utils import timezone

LEFT_BEHIND = ("lead", "prospect")


def buyers_become_customers(apps: Any, schema_editor: Any) -> None:
    customer_model = apps.get_model("customers", "Customer")
    order_model = apps.get_model("sales", "Order")
    connection = schema_editor.connection
    paid = order_model.objects.filter(customer_id=OuterRef("pk"), status="paid")
    quote = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for stage in LEFT_BEHIND:
        buyers = customer_model.objects.filter(stage=stage).filter(Exists(paid)).order_by()
        select, params = buyers.values_list("id").query.sql_with_params()
        changes = json.dumps({"stage": [stage, "customer"]})
        cast = "::jsonb" if connection.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            # The ids never leave the database: audit rows first, then the stage.
            cursor.execute(
                f"INSERT INTO {quote('core_auditevent')} "  # noqa: S608 - names from code
                "(at, actor_id, action, subject_type, subject_id, customer_id, changes) "
                f"SELECT %s, NULL, 'update', 'customers.customer', buyer.id, buyer.id, %s{cast} "
                f"FROM ({select}) AS buyer",
                [now, changes, *params],
            )
        buyers.update(stage="customer", updated_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_notification"),
        ("customers", "0014_interaction_kind_stage"),
        ("sales", "0014_verbose_plural_names"),
    ]

    operations = [migrations.RunPython(buyers_become_customers, migrations.RunPython.noop)]
