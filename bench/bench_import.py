"""The customer import at scale (issue 21; target at least 5,000 rows/s end to end on
SQLite, duplicate checks on): a generated CSV of N customers (Thai names, a nickname, a
mobile, an e-mail, a birthday in B.E., gender, province, tags), 5% bad rows of every
kind and 1% rows that repeat an earlier row's mobile, imported by ``samphan import``'s
job (``import_job_create`` then ``import_job_run``, batches of 500) into a fresh
database. Prints one JSON object: seconds, rows/s and the counts.

    python bench/bench_import.py                      # 100,000 rows, SQLite
    python bench/bench_import.py --rows 10000         # a quick look
    bash scripts/with-postgres.sh .venv/bin/python bench/bench_import.py

``make bench`` runs it after the other measures; ``make bench BENCH_ARGS="--only import"``
runs only it (bench/run.py), and writes its table into docs/performance.md.
"""

import argparse
import csv
import io
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = ROOT / "var" / "bench" / "import"
HEADERS = ["ชื่อ", "นามสกุล", "ชื่อเล่น", "มือถือ", "อีเมล", "วันเกิด", "เพศ", "จังหวัด", "แท็ก"]
BAD_SHARE, REPEAT_SHARE = 0.05, 0.01
# One of each kind of bad row, in turn: what a shop's own sheet really holds.
BAD_KINDS = ("phone", "email", "date", "future", "gender", "name", "tag")


def generate(count: int, seed: int = 21) -> tuple[bytes, int, int]:
    """The CSV of ``count`` rows, how many are bad and how many repeat a mobile."""
    from samphan.demo.data import (
        EMAIL_DOMAINS,
        FEMALE_FIRST,
        LAST_NAMES,
        MOBILE_PREFIXES,
        NICKNAMES,
        PROVINCES,
        TAGS,
    )

    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    bad = repeated = 0
    phones: list[str] = []
    for n in range(count):
        female = rng.random() < 0.5
        first, first_en = rng.choice(FEMALE_FIRST)
        last, last_en = rng.choice(LAST_NAMES)
        phone = f"0{rng.choice(MOBILE_PREFIXES)}-{n // 10_000:03d}-{n % 10_000:04d}"
        email = f"{first_en.lower()}.{last_en.lower()}{n}@{rng.choice(EMAIL_DOMAINS)}"
        born = f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(2500, 2550)}"
        row = [
            first,
            last,
            rng.choice(NICKNAMES),
            phone,
            email,
            born,
            "หญิง" if female else "ชาย",
            rng.choice(PROVINCES)[0],
            ", ".join(rng.sample(TAGS, rng.randint(0, 2))),
        ]
        if rng.random() < BAD_SHARE:
            bad += 1
            kind = BAD_KINDS[bad % len(BAD_KINDS)]
            column, value = {
                "phone": (3, "12345"),
                "email": (4, "ไม่มีอีเมล"),
                "date": (5, "31/02/2530"),
                "future": (5, "1/1/2600"),
                "gender": (6, "ไม่ระบุ"),
                "name": (0, ""),
                "tag": (8, "[VIP]"),
            }[kind]
            row[column] = value
            if kind == "name":
                row[2] = ""
        elif phones and rng.random() < REPEAT_SHARE:
            repeated += 1
            row[3] = rng.choice(phones)  # the same person typed again
            row[4] = ""
        else:
            phones.append(phone)
        writer.writerow(row)
    return out.getvalue().encode(), bad, repeated


def measure(count: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from samphan.accounts.models import User
    from samphan.customers.imports.jobs import import_job_create, import_job_run
    from samphan.customers.imports.mapping import propose_mapping
    from samphan.customers.imports.readers import read_table
    from samphan.customers.models import ContactPoint, Customer

    call_command("migrate", verbosity=0)
    admin, _ = User.objects.get_or_create(username="admin", defaults={"is_superuser": True})
    data, bad, repeated = generate(count)
    mapping = propose_mapping(read_table(data[:4096].rsplit(b"\n", 1)[0], "c.csv").headers)
    started, cpu = time.perf_counter(), time.process_time()
    job = import_job_create(
        actor=admin, data=data, file_name="customers.csv", mapping=mapping, enqueue=False
    )
    job = import_job_run(job)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu  # this process's CPU: the figure on a busy machine
    counts = {
        "created": job.created_count,
        "updated": job.updated_count,
        "skipped": job.skipped_count,
        "failed": job.failed_count,
    }
    assert sum(counts.values()) == job.total_rows == count, counts
    assert Customer.objects.count() == job.created_count
    return {
        "database": connection.vendor,
        "rows": count,
        "seconds": round(seconds, 1),
        "rows_per_s": round(count / seconds),
        "cpu_seconds": round(cpu_seconds, 1),
        "rows_per_cpu_s": round(count / cpu_seconds),
        "bad_rows": bad,
        "repeated_phones": repeated,
        "contact_points": ContactPoint.objects.count(),
        **counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        shutil.rmtree(VAR_DIR, ignore_errors=True)
        VAR_DIR.mkdir(parents=True)
        os.environ["SAMPHAN_VAR_DIR"] = str(VAR_DIR)
    try:
        print(json.dumps(measure(args.rows), ensure_ascii=False))
    finally:
        shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
