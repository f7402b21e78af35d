"""Who saw whom at volume (issue 20, §2): load 10,000,000 access rows with one
INSERT … SELECT, then time "who saw this customer" (its first page, newest first) for a
busy customer (100,000 rows) and a quiet one (5 rows), with and without a filter, the
page itself over HTTP, and the INSERT a view costs. Prints one JSON object.

    python bench/bench_access_log.py --databases sqlite,postgresql   # both, then the table
    python bench/bench_access_log.py --rows 1000000 --databases sqlite   # a quick look

Each database is fresh: SQLite in var/bench/access-log (removed afterwards), PostgreSQL
through scripts/with-postgres.sh. Target: the first page under 1 s (it is milliseconds).
Figures in docs/performance.md ("Who saw whom at 10 million rows"), written by hand.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 20
BUSY_EVERY = 100  # every 100th row is the busy customer's: 100,000 of 10,000,000
SPREAD = 200_000  # the other rows fall on this many customers (about 50 each)
SECONDS_APART = 3  # 10 million rows over about a year

SQLITE_LOAD = """
WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < %s)
INSERT INTO privacy_customer_access (customer_id, user_id, at, kind, export_id)
SELECT CASE WHEN n %% {busy_every} = 0 THEN %s ELSE 1000000 + (n * 7919) %% {spread} END,
       %s + (n + n / 100) %% %s,
       datetime(%s + n * {apart}, 'unixepoch'),
       1 + (n + n / 100) %% 4,
       NULL
FROM counter
"""
POSTGRESQL_LOAD = """
INSERT INTO privacy_customer_access (customer_id, user_id, at, kind, export_id)
SELECT CASE WHEN n %% {busy_every} = 0 THEN %s ELSE 1000000 + (n * 7919) %% {spread} END,
       %s + (n + n / 100) %% %s,
       to_timestamp(%s + n * {apart}),
       1 + (n + n / 100) %% 4,
       NULL
FROM generate_series(CAST(1 AS bigint), CAST(%s AS bigint)) AS n
"""


def measure(rows: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.timing import percentiles, timed
    from samphan.accounts.models import Role, User
    from samphan.core.sql import is_postgresql
    from samphan.customers.models import Customer
    from samphan.privacy.access_log import AccessKind, CustomerAccess
    from samphan.privacy.access_queries import accesses_of
    from samphan.privacy.access_record import access_record

    call_command("migrate", verbosity=0)
    manager = User.objects.create_user("manager", first_name="ผู้จัดการ")
    manager.groups.add(*Group.objects.filter(name=Role.MANAGER))
    staff = User.objects.bulk_create(
        User(username=f"staff{i}", first_name=f"พนักงาน{i}") for i in range(20)
    )
    first_user = min(user.pk for user in staff)
    busy = Customer.objects.create(kind="person", first_name="ขาประจำ", display_name="ขาประจำ มาก")
    quiet = Customer.objects.create(kind="person", first_name="นานๆ", display_name="นานๆ มาที")
    start = int(time.time()) - rows * SECONDS_APART - 3600
    names = {"busy_every": BUSY_EVERY, "spread": SPREAD, "apart": SECONDS_APART}
    loaded = time.perf_counter()
    # The index is built once after the load (a sort), not row by row in random order.
    (index,) = CustomerAccess._meta.indexes
    with connection.schema_editor() as editor:
        editor.remove_index(CustomerAccess, index)
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                POSTGRESQL_LOAD.format(**names), [busy.pk, first_user, len(staff), start, rows]
            )
            cursor.execute("ANALYZE privacy_customer_access")
        else:
            cursor.execute(
                SQLITE_LOAD.format(**names), [rows, busy.pk, first_user, len(staff), start]
            )
            cursor.execute("ANALYZE")
    with connection.schema_editor() as editor:
        editor.add_index(CustomerAccess, index)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE privacy_customer_access" if is_postgresql() else "ANALYZE")
    load_seconds = time.perf_counter() - loaded
    now = timezone.now()
    for minute in range(5):
        CustomerAccess.objects.create(customer_id=quiet.pk, user_id=first_user, kind=AccessKind.PAGE,
                                      at=now - timezone.timedelta(minutes=minute))  # fmt: skip
    total = CustomerAccess.objects.count()
    busy_rows = CustomerAccess.objects.filter(customer_id=busy.pk).count()

    def first_page(customer_id: int, **filters: Any) -> None:
        accesses, _older = accesses_of(customer_id, **filters)
        assert accesses

    def deep_page(customer_id: int) -> None:
        """The page after 20 pages, by cursor: costs what the first does."""
        _accesses, older = accesses_of(customer_id)
        for _ in range(20):
            _accesses, older = accesses_of(customer_id, before=older)

    client = Client()
    client.force_login(manager)

    def page_over_http(customer_id: int) -> None:
        response = client.get(f"/customers/{customer_id}/access/")
        assert response.status_code == 200, response.status_code

    def one_view() -> None:
        access_record(user=manager, customer_id=busy.pk, kind="page")

    cases = {
        "first page, busy customer (100,000 rows)": lambda: first_page(busy.pk),
        "first page, quiet customer (5 rows)": lambda: first_page(quiet.pk),
        "first page, busy customer, one user": lambda: first_page(busy.pk, user_id=first_user + 3),
        "first page, busy customer, one kind": lambda: first_page(busy.pk, kind=AccessKind.EXPORT),
        "21 pages in, busy customer (21 queries)": lambda: deep_page(busy.pk),
        "the page over HTTP, busy customer": lambda: page_over_http(busy.pk),
        "the page over HTTP, quiet customer": lambda: page_over_http(quiet.pk),
        "recording one view (one INSERT)": one_view,
    }
    results = {}
    for label, action in cases.items():
        action()  # warm
        results[label] = percentiles(timed(action, REPEATS))
    plan_sql, params = (
        CustomerAccess.objects.filter(customer_id=busy.pk)
        .order_by("-at", "-id")[:51]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            ("EXPLAIN " if is_postgresql() else "EXPLAIN QUERY PLAN ") + plan_sql, params
        )
        plan = "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())
    return {
        "database": connection.vendor,
        "rows": total,
        "busy_rows": busy_rows,
        "load_s": round(load_seconds, 1),
        "rows_per_s": round(rows / load_seconds),
        "measures": results,
        "plan": plan,
    }


def run(database: str, rows: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", "--rows", str(rows)]
    env = {**os.environ}
    env.pop("DATABASE_URL", None)
    var_dir = ROOT / "var" / "bench" / "access-log"
    if database == "sqlite":
        shutil.rmtree(var_dir, ignore_errors=True)
        var_dir.mkdir(parents=True)
        env["SAMPHAN_VAR_DIR"] = str(var_dir)
    else:
        command = ["bash", str(ROOT / "scripts" / "with-postgres.sh"), *command]
    print(f"… {database}, {rows:,} rows", file=sys.stderr, flush=True)
    output = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if database == "sqlite":
        shutil.rmtree(var_dir, ignore_errors=True)
    if output.returncode:
        sys.exit(f"{database} failed:\n{output.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| database | rows | measure | p50 ms | p95 ms |", "|---|---:|---|---:|---:|"]
    for result in results:
        for label, figures in result["measures"].items():
            lines.append(
                f"| {result['database']} | {result['rows']:,} | {label} "
                f"| {figures['p50_ms']} | {figures['p95_ms']} |"
            )
    lines += ["", "| database | rows loaded | load s | rows/s |", "|---|---:|---:|---:|"]
    lines += [
        f"| {r['database']} | {r['rows']:,} | {r['load_s']} | {r['rows_per_s']:,} |"
        for r in results
    ]
    for result in results:
        lines += [
            "",
            f"{result['database']}, the first page's plan:",
            "",
            "```",
            result["plan"],
            "```",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--measure", action="store_true", help="one run, here (internal)")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.rows), ensure_ascii=False))
        return
    results = []
    for database in args.databases.split(","):
        results.append(run(database, args.rows))
        (ROOT / "var").mkdir(exist_ok=True)
        (ROOT / "var" / f"bench-access-log-{database}.json").write_text(
            json.dumps(results[-1], ensure_ascii=False, indent=1)
        )
    print(table(results))


if __name__ == "__main__":
    main()
