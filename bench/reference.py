"""The reference the insights are compared with: DuckDB answering the same question (a
period's top 10 customers by revenue, their shares, and the concentration figures) by a
full scan of the paid orders, handed to it as an Arrow table (DuckDB cannot attach SQLite
or PostgreSQL here). Only the query is timed, not the export, as a column store would
already hold the data.
"""

import datetime as dt
import time
from typing import Any

import duckdb
import pyarrow as pa

from bench.timing import percentiles
from samphan.sales.models import Order

TOP_AND_SHARES = """
    WITH per AS (
        SELECT customer_id, SUM(revenue) AS revenue FROM orders
        WHERE ordered_at >= $start AND ordered_at < $end GROUP BY customer_id
    ),
    ranked AS (
        SELECT customer_id, revenue,
            ROW_NUMBER() OVER (ORDER BY revenue DESC, customer_id) AS n,
            COUNT(*) OVER () AS k,
            SUM(revenue) OVER () AS total,
            SUM(revenue) OVER (ORDER BY revenue DESC, customer_id ROWS UNBOUNDED PRECEDING)
                AS running
        FROM per
    )
    SELECT n, customer_id, revenue, revenue / total AS share, running / total AS cumulative
    FROM ranked
    WHERE n <= 10 OR n = CEIL(k * 0.01) OR n = CEIL(k * 0.10) OR n = CEIL(k * 0.20)
    ORDER BY n
"""


def paid_orders_table() -> pa.Table:
    """Every paid order's customer, time and revenue, read in chunks."""
    ids, times, revenues = [], [], []
    rows = (
        Order.objects.filter(status=Order.Status.PAID)
        .order_by()
        .values_list("customer_id", "ordered_at", "revenue")
    )
    for customer_id, ordered_at, revenue in rows.iterator(chunk_size=50_000):
        ids.append(customer_id)
        times.append(ordered_at)
        revenues.append(float(revenue))
    return pa.table(
        {
            "customer_id": pa.array(ids, pa.int64()),
            "ordered_at": pa.array(times, pa.timestamp("us", tz="UTC")),
            "revenue": pa.array(revenues, pa.float64()),
        }
    )


def duckdb_top_and_shares(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    orders = paid_orders_table()
    connection = duckdb.connect()
    connection.register("orders", orders)
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        connection.execute(TOP_AND_SHARES, {"start": start, "end": end}).fetchall()
        samples.append(time.perf_counter() - started)
    return {"rows": orders.num_rows, **percentiles(samples)}
