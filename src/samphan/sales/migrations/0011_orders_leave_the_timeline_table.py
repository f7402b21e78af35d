"""The timeline reads purchases from the orders (``samphan.sales.timeline``): the copies
earlier order writes made as interactions go, or each sale would show twice.

A copy is a "purchase" interaction of the order's customer at the order's exact time; a
purchase someone logged by hand (no order at that moment) stays. One set-based statement.
"""

from django.db import migrations

DELETE_COPIES = """
DELETE FROM customers_interaction
WHERE kind = 'purchase'
  AND EXISTS (
    SELECT 1 FROM sales_order o
    WHERE o.customer_id = customers_interaction.customer_id
      AND o.ordered_at = customers_interaction.occurred_at
  )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_visit_index"),
        ("sales", "0010_paid_period_index_with_channel"),
    ]

    # Not reversible into the copies, and nothing needs them back: going back leaves the
    # timeline without its purchases until orders are written again.
    operations = [migrations.RunSQL(DELETE_COPIES, migrations.RunSQL.noop, elidable=True)]
