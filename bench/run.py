"""`make bench`: load demo data at scale on SQLite and PostgreSQL, time search, pages and
sales (bench/sales.py: order ingest, the kanban board, a customer with 5,000 orders, the
roll-up rebuild), print the tables and write docs/performance.md.

    python bench/run.py                          # 100,000 and 1,000,000 customers, both databases
    python bench/run.py --sizes 20000 --databases sqlite   # a quick look
    python bench/run.py --sizes 1000000 --databases sqlite --add   # beside the last run
    python bench/run.py --only import --databases sqlite   # only the customer import
    python bench/run.py --duplicates 1000000 --sizes 0     # only the duplicate finder

The customer import (bench/bench_import.py: 100,000 generated rows through the import
job) runs after the other measures, on each database; its table has its own block in
docs/performance.md, so a run of it alone keeps the others' figures.

The duplicate finder (bench/bench_duplicates.py, SQLite) runs at the ``--duplicates``
sizes after the rest, in processes of its own.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
IMPORT_START, IMPORT_END = "<!-- bench-import:start -->", "<!-- bench-import:end -->"
IMPORT_HEADING = "## Customer import at scale (issue 21, `make bench`)"


def run_import(database: str, rows: int) -> dict:
    """bench/bench_import.py on a fresh database: its JSON line."""
    command = [sys.executable, str(ROOT / "bench" / "bench_import.py"), "--rows", str(rows)]
    env = {**os.environ}
    env.pop("DATABASE_URL", None)
    if database != "sqlite":
        command = ["bash", str(ROOT / "scripts" / "with-postgres.sh"), *command]
    print(f"… {database}, import of {rows:,} rows", file=sys.stderr, flush=True)
    output = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if output.returncode:
        sys.exit(f"{database}, import of {rows:,} rows failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def import_table(results: list[dict]) -> str:
    lines = [
        "| database | rows | s | rows/s | CPU s | rows per CPU s | created | updated "
        "| skipped | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['database']} | {r['rows']:,} | {r['seconds']} | {r['rows_per_s']:,} "
        f"| {r['cpu_seconds']} | {r['rows_per_cpu_s']:,} | {r['created']:,} "
        f"| {r['updated']:,} | {r['skipped']:,} | {r['failed']:,} |"
        for r in results
    ]
    return "\n".join(lines)


def run_one(database: str, customers: int, *, keep: bool = False) -> dict:
    command = [sys.executable, str(ROOT / "bench" / "measure.py"), "--customers", str(customers)]
    env = {**os.environ}
    env.pop("DATABASE_URL", None)
    if database == "sqlite":
        var_dir = ROOT / "var" / "bench" / f"sqlite-{customers}"
        shutil.rmtree(var_dir, ignore_errors=True)
        var_dir.mkdir(parents=True)
        env["SAMPHAN_VAR_DIR"] = str(var_dir)
    else:
        command = ["bash", str(ROOT / "scripts" / "with-postgres.sh"), *command]
    print(f"… {database}, {customers:,} customers", file=sys.stderr, flush=True)
    output = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if output.returncode:
        sys.exit(f"{database}, {customers:,} customers failed:\n{output.stderr[-3000:]}")
    result = json.loads(output.stdout.strip().splitlines()[-1])
    if database == "sqlite" and not keep:
        shutil.rmtree(ROOT / "var" / "bench" / f"sqlite-{customers}", ignore_errors=True)
    return result


def run_duplicates(customers: int) -> dict:
    """bench/bench_duplicates.py at one size: load, then one full run of the finder."""
    command = [sys.executable, str(ROOT / "bench" / "bench_duplicates.py"), "--customers",
               str(customers)]  # fmt: skip
    print(f"… duplicate finder, {customers:,} customers", file=sys.stderr, flush=True)
    output = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    if output.returncode:
        sys.exit(f"duplicate finder, {customers:,} customers failed:\n{output.stderr[-3000:]}")
    result: dict = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def duplicates_table(results: list[dict]) -> str:
    """The duplicate finder over all customers, one row per size (issue 21)."""
    if not results:
        return ""
    lines = [
        "\n\n| duplicate finder, SQLite | customers | find s (CPU s) | peak MB | pairs compared "
        "| candidates | planted found / planted | recall | precision on planted "
        "| other candidates | check on save p50 / p95 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| sqlite | {result['customers']:,} | {result['find_seconds']} "
        f"({result.get('find_cpu_seconds', '–')}) "
        f"| {result['peak_rss_mb']:,} | {result['pairs_compared']:,} "
        f"| {result['candidates']:,} | {result['planted_found']:,} / "
        f"{result['planted_pairs']:,} | {result['recall']} "
        f"| {result['precision_on_planted']} | {result['other_candidates']:,} "
        f"| {result['on_save_p50_ms']} / {result['on_save_p95_ms']} |"
        for result in results
    ]
    return "\n".join(lines)


def table(results: list[dict]) -> str:
    lines = [
        "| database | customers | measure | p50 ms | p95 ms |",
        "|---|---:|---|---:|---:|",
    ]
    for result in results:
        groups = [(group, result[group]) for group in ("search", "pages")]
        groups.append(("sales", result["sales"]["pages"]))
        if "analytics" in result:  # runs from before the insights had none
            groups.append(("insights", result["analytics"]["pages"]))
        if "frontdesk" in result:
            alerts = result["frontdesk"]["alerts"]
            label = (
                f"alert delivery, {alerts['screens']} screens polling over HTTP, "
                f"{alerts['arrivals']} VIP arrivals ({alerts['missed']} missed, "
                f"{alerts['errors']} errors)"
            )
            groups.append(("front desk", {**result["frontdesk"]["pages"], label: alerts}))
        if "segments" in result:
            groups.append(("segments", result["segments"]["pages"]))
        for group, measures in groups:
            for label, figures in measures.items():
                lines.append(
                    f"| {result['database']} | {result['customers']:,} | {group}: {label} "
                    f"| {figures['p50_ms']} | {figures['p95_ms']} |"
                )
    lines += [
        "",
        "| database | customers | load s | customers/s | rows/s | orders | order lines |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        load = result["load"]
        lines.append(
            f"| {result['database']} | {result['customers']:,} | {load['seconds']} "
            f"| {load['customers_per_s']:,} | {load['rows_per_s']:,} | {load['orders']:,} "
            f"| {load['order_lines']:,} |"
        )
    return (
        "\n".join(lines) + "\n\n" + sales_table(results) + messaging_table(results)
        + memory_table(results) + merge_table(results)
    )  # fmt: skip


def messaging_table(results: list[dict]) -> str:
    """A campaign's e-mails through the outbox to an SMTP server on loopback (runs since
    issue 6)."""
    rows = [result for result in results if "messaging" in result]
    if not rows:
        return ""
    lines = [
        "\n\n| database | customers | e-mails queued | queued in s | sent by the worker in s "
        "| messages/s | worker peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in rows:
        sent = result["messaging"]
        lines.append(
            f"| {result['database']} | {result['customers']:,} | {sent['recipients']:,} "
            f"| {sent['queue_seconds']} | {sent['seconds']} | {sent['messages_per_s']:,} "
            f"| {sent['worker_peak_mb']:,} |"
        )
    return "\n".join(lines)


def merge_table(results: list[dict]) -> str:
    """A merge of two customers with 5,000 orders each, and its undo (bench/merge.py; runs
    since issue 21)."""
    rows = [
        f"| {result['database']} | {result['customers']:,} | {merge['orders_each']:,} "
        f"| {merge['merge_s']} | {merge['merge_max_s']} | {merge['undo_s']} "
        f"| {merge['undo_max_s']} |"
        for result in results
        if (merge := result.get("merge"))
    ]
    if not rows:
        return ""
    head = (
        "| database | customers | orders each | merge s | merge s, slowest | undo s "
        "| undo s, slowest |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    return "\n\n" + head + "\n" + "\n".join(rows)


def memory_table(results: list[dict]) -> str:
    """Each insight analysis run alone (bench/memory.py): its time and peak memory."""
    rows = [
        f"| {result['database']} | {result['customers']:,} | {name} | {figures['seconds']} "
        f"| {figures['peak_mb']:,} |"
        for result in results
        for name, figures in result.get("analytics", {}).get("memory", {}).items()
    ]
    if not rows:  # runs from before it was measured
        return ""
    head = (
        "| database | customers | analysis, alone | s | peak memory MB |\n|---|---:|---|---:|---:|"
    )
    return "\n\n" + head + "\n" + "\n".join(rows)


def sales_table(results: list[dict]) -> str:
    """The throughput figures, one row per run (latencies join the main table)."""
    lines = [
        "| database | customers | one order per call: orders/s | bulk, POS batches: lines/s "
        "(orders/s) | bulk, 3 years of history: lines/s | orders | roll-up rebuild s | RFM s "
        "| insights per order ms: new / back-dated |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        sales = result["sales"]
        insight = result.get("analytics", {})
        lines.append(
            f"| {result['database']} | {result['customers']:,} "
            f"| {sales['ingest']['orders_per_s']:,} | {sales['bulk']['lines_per_s']:,} "
            f"({sales['bulk']['orders_per_s']:,}) | {sales['bulk_history']['lines_per_s']:,} "
            f"| {sales['data']['orders']:,} "
            f"| {insight.get('rebuild', {}).get('seconds', '–')} "
            f"| {insight.get('rfm', {}).get('seconds', '–')} "
            f"| {insight.get('overhead_ms_per_new_order', '–')} "
            f"/ {insight.get('overhead_ms_per_order', '–')} |"
        )
    return "\n".join(lines)


def plans(results: list[dict]) -> str:
    blocks = []
    for result in results:
        for label, plan in result["plans"].items():
            blocks.append(
                f"{result['database']}, {result['customers']:,} customers, {label}:\n\n```\n{plan}\n```"
            )
    return "\n\n".join(blocks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--duplicates", default="1000000", help="sizes for the duplicate finder, or 0 for none"
    )
    parser.add_argument("--no-report", action="store_true", help="print only")
    parser.add_argument(
        "--add", action="store_true", help="keep the last run's other results (a size added later)"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the SQLite databases in var/bench/ for measures run on them later",
    )
    parser.add_argument("--only", choices=["import"], help="run only this measure")
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()
    if args.only != "import":
        measure_all(args)
    imports = [run_import(database, args.import_rows) for database in args.databases.split(",")]
    text = import_table(imports)
    print(text)
    if not args.no_report:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        block = f"_Last run: {stamp}, on {os.cpu_count()} cores._\n\n{text}"
        write_report(block, start=IMPORT_START, end=IMPORT_END, heading=IMPORT_HEADING)


def measure_all(args: argparse.Namespace) -> None:
    results = [
        run_one(database, int(size), keep=args.keep)
        for size in args.sizes.split(",")
        if int(size)
        for database in args.databases.split(",")
    ]
    duplicates = [run_duplicates(int(size)) for size in args.duplicates.split(",") if int(size)]
    if args.add:
        results = merged(results)
    text = (table(results) if results else "") + duplicates_table(duplicates)
    print(text)
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench-results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1)
    )
    if not args.no_report:
        plan_text = f"\n\n### Query plans\n\n{plans(results)}" if results else ""
        write_report(f"{text}{plan_text}")
        print(f"\nWrote {REPORT.relative_to(ROOT)} (raw figures in var/bench-results.json).")


def merged(results: list[dict]) -> list[dict]:
    """These results with the last run's for other databases and sizes, by size."""
    saved = ROOT / "var" / "bench-results.json"
    earlier = json.loads(saved.read_text()) if saved.exists() else []
    fresh = {(result["database"], result["customers"]) for result in results}
    kept = [result for result in earlier if (result["database"], result["customers"]) not in fresh]
    return sorted(kept + results, key=lambda result: result["customers"])


def write_report(generated: str, *, start: str = START, end: str = END, heading: str = "") -> None:
    """Replace a generated part of docs/performance.md, keeping the written analysis; a
    block not there yet is added at the end under ``heading``."""
    if start == START:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        generated = f"_Last `make bench`: {stamp}, on {os.cpu_count()} cores._\n\n{generated}"
    block = f"{start}\n{generated}\n{end}"
    text = REPORT.read_text() if REPORT.exists() else f"# Performance\n\n{START}\n{END}\n"
    if start not in text:
        text = f"{text.rstrip()}\n\n{heading}\n{start}\n{end}\n"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    REPORT.write_text(f"{head}{block}{tail}")


if __name__ == "__main__":
    main()
