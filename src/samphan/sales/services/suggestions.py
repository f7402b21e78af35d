"""When to rebuild the similar products (``samphan.sales.affinities``): order writes
enqueue a rebuild once the orders recorded since the last one pass 5% of the paid orders
then (at least 50): the check compares the new order's id with a stored one, so it costs
one primary-key read.
"""

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from samphan.sales.affinities import MIN_NEW_ORDERS
from samphan.sales.models import SuggestionState
from samphan.sales.tasks import affinities_refresh

# A rebuild queued this long ago that has not run (a stopped worker) may be queued again.
QUEUED_GIVE_UP = dt.timedelta(hours=1)

STATE = SuggestionState._meta.db_table
# Whether a rebuild is queued already is read too: while one waits for a worker, every
# order is one read, not a read and an update that changes nothing.
STATE_READ = (
    "SELECT due_after_order, queued_at IS NOT NULL AND queued_at > %s "  # noqa: S608 - joins the table name above
    f"FROM {STATE} WHERE id = 1"
)
# Claim with a conditional UPDATE: of two writers past the mark, one enqueues.
STATE_CLAIM = (
    f"UPDATE {STATE} SET queued_at = %s WHERE id = 1 AND due_after_order < %s "  # noqa: S608 - joins the table name above
    "AND (queued_at IS NULL OR queued_at <= %s)"
)


def affinities_refresh_if_due(order_id: int) -> bool:
    """Called by order writes inside their transaction: enqueue a rebuild after the commit
    when the new order's id is past the due one, at most once until it has run.

    Plain SQL: it runs for every order recorded, and the ORM's compiling of these two
    statements cost more than the rest of writing an order (docs/performance.md).
    """
    now = timezone.now()
    give_up = _when(now - QUEUED_GIVE_UP)
    with connection.cursor() as cursor:
        cursor.execute(STATE_READ, [give_up])
        row = cursor.fetchone()
        if order_id <= (MIN_NEW_ORDERS if row is None else row[0]) or (row and row[1]):
            return False
        if row is None:
            SuggestionState.objects.get_or_create(pk=1)
        cursor.execute(STATE_CLAIM, [_when(now), order_id, give_up])
        claimed: bool = cursor.rowcount > 0
    if claimed:
        transaction.on_commit(_enqueue_rebuild, robust=True)
    return claimed


def _when(moment: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def _enqueue_rebuild() -> None:
    affinities_refresh.enqueue()
