"""Writing who saw whom: one INSERT per view, one bulk INSERT per list, and for an export
one row for the export and one INSERT … SELECT for every customer it lists.

Every view is recorded, with no de-duplication: the law asks who saw whom, and a check
for an earlier row in the same minute would cost a read on every page (docs/decisions.md,
"Who saw whom").
"""

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from samphan.accounts.models import User
from samphan.core import sql
from samphan.customers.models import Customer
from samphan.privacy.access_log import KIND_OF, AccessExport, AccessKind, CustomerAccess

TABLE = CustomerAccess._meta.db_table
# The ids come from the export's own query, so the customers are never read into Python.
EXPORT_ROWS = (
    f"INSERT INTO {TABLE} (customer_id, user_id, at, kind, export_id) "  # noqa: S608  # a module constant
    "SELECT listed.id, %s, {at}, %s, %s FROM ({listed}) listed"
)


def access_record(*, user: User, customer_id: int, kind: str) -> None:
    """``user`` was shown one customer: one INSERT."""
    CustomerAccess.objects.create(
        customer_id=customer_id, user_id=user.pk, at=timezone.now(), kind=KIND_OF[kind]
    )


def accesses_record(*, user: User, customer_ids: list[int], kind: str) -> None:
    """``user`` was shown these customers at once: one bulk INSERT."""
    if not customer_ids:
        return
    at = timezone.now()
    CustomerAccess.objects.bulk_create(
        CustomerAccess(customer_id=pk, user_id=user.pk, at=at, kind=KIND_OF[kind])
        for pk in customer_ids
    )


def export_record(*, user: User, customers: QuerySet[Customer], what: str) -> AccessExport:
    """``user`` downloaded a file of ``customers``: the export once, then one row per
    customer it lists, written by one INSERT … SELECT from the same query."""
    at = timezone.now()
    export = AccessExport.objects.create(user_id=user.pk, at=at, what=what[:200])
    listed, params = customers.order_by().values("id").query.sql_with_params()
    statement = EXPORT_ROWS.format(at=sql.timestamp_param(), listed=listed)
    stamp = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(statement, [user.pk, stamp, AccessKind.EXPORT, export.pk, *params])
        export.customers = max(cursor.rowcount, 0)
    AccessExport.objects.filter(pk=export.pk).update(customers=export.customers)
    return export
