"""Orders from before the ledger earn their rows, at the rate in force (a point for every
SAMPHAN_BAHT_PER_POINT baht), expiring 24 months after each order; existing redemptions
and adjustments are staff changes. Points were counted on each customer's total spend,
and now are counted per order, rounded down each time: what that rounding would take away
is kept as one adjustment row per customer, so that no balance goes down."""

from django.conf import settings
from django.db import migrations

from samphan.loyalty.services.backfill import ledger_fill, members_fill

TOTAL = "CAST(ROUND(SUM(o.revenue) * 100) AS bigint) / {cents}"
EACH = "SUM(CAST(ROUND(o.revenue * 100) AS bigint) / {cents})"
CARRY = (
    "INSERT INTO loyalty_pointsentry (customer_id, kind, cause, points, order_id, expires_on, "
    "basis, key, note, at, created_by_id) "
    "SELECT o.customer_id, 'adjust', 'order', {total} - {each}, NULL, NULL, NULL, "
    "'carry:' || o.customer_id, %s, %s, NULL FROM sales_order o "
    "WHERE o.status = 'paid' AND o.revenue > 0 AND NOT EXISTS (SELECT 1 FROM loyalty_pointsentry "
    "c WHERE c.key = 'carry:' || o.customer_id) GROUP BY o.customer_id HAVING {total} > {each}"
)


def forwards(apps, schema_editor):
    from django.utils import timezone

    per = settings.SAMPHAN_BAHT_PER_POINT
    connection = schema_editor.connection
    ledger_fill(per=per, expiry="months", months=24, programme=None)
    with connection.cursor() as cursor:
        cents = int(per * 100)  # an int: safe in the statement
        total, each = TOTAL.format(cents=cents), EACH.format(cents=cents)
        cursor.execute(
            CARRY.format(total=total, each=each),
            [
                "Points on total spend, before the ledger",
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
    members_fill()


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0002_ledger"), ("sales", "0018_lead_updated_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
