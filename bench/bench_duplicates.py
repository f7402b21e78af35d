"""The duplicate finder over many customers (issue 21), on SQLite.

Loads N demo-like customers with set-based SQL (a few statements, however many rows):
first names from the demo lists; surnames, as Thai surnames are one family's own, made
of a demo surname and two common endings (28,800 of them), except one customer in ten
who has a plain demo surname (1,792 full names shared by many namesakes, the hard case);
a Latin spelling for half, a nickname for half, a birthday for 60%, an address for 40%,
an employer (one of 2,000 companies) for 20%, a mobile each (spread over all numbers, as real ones are), an e-mail for half, a LINE
ID for one in five. Then plants ``--planted`` known duplicates, made as the labelled
set's are (``tests/customers/dedupe/labelled_pairs.py``: Thai spelling variants,
titles, nicknames, Latin-only transliterations and typos; the same phone in another
format, a phone one digit off, the e-mail in capitals, the same LINE ID or a new number;
birthday, company, address kept or not). A second process then runs one full
``duplicates_find`` and reports its time, its peak memory (``getrusage``), the
candidates, the planted pairs found (recall) and the precision on the planted customers
(of the candidates that involve a planted twin, the share that is its planted pair), and
times ``possible_duplicates`` (the check on save) on the same database.

    python bench/bench_duplicates.py                         # 100,000 customers
    python bench/bench_duplicates.py --customers 1000000

A fresh SQLite database in var/bench/duplicates (removed afterwards). Target (issue 21):
1,000,000 customers under 10 minutes on 2 cores, memory under 2 GB. `make bench` runs it
(bench/run.py) and writes the table into docs/performance.md.
"""

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = ROOT / "var" / "bench" / "duplicates"  # and the size: runs may go side by side
COMPANIES = 2000
SUFFIXES = [
    ("สุข", "suk"), ("ศรี", "si"), ("วงศ์", "wong"), ("กุล", "kun"), ("ชัย", "chai"),
    ("ทอง", "thong"), ("พันธ์", "phan"), ("สกุล", "sakun"), ("ศักดิ์", "sak"), ("รัตน์", "rat"),
    ("เจริญ", "charoen"), ("มณี", "mani"), ("พร", "phon"), ("ดี", "di"), ("แก้ว", "kaeo"),
    ("เพชร", "phet"), ("บุญ", "bun"), ("สมบูรณ์", "sombun"), ("วัฒน์", "wat"), ("ธรรม", "tham"),
    ("กิจ", "kit"), ("ไพศาล", "phaisan"), ("อนันต์", "anan"), ("ประเสริฐ", "prasoet"),
    ("นิล", "nin"), ("เงิน", "ngoen"), ("ใจ", "chai"), ("ศิลป์", "sin"), ("ทิพย์", "thip"),
    ("ภักดี", "phakdi"),
]  # fmt: skip


M = 2147483647  # 2**31 - 1, a prime


def _h(n: int, k: int) -> int:
    """The generator's hash, the same in Python and in the SQL below. Squared, not only
    linear: with a linear hash the columns were tied (one birthday went with one surname),
    and the run made thousands of identical people."""
    x = (n * 48271 + k * 16807) % M
    return ((x * x) % M * 69621 + k) % M


H = (
    "(((((({n}) * 48271 + {k} * 16807) % 2147483647) * ((({n}) * 48271 + {k} * 16807) "
    "% 2147483647)) % 2147483647 * 69621 + {k}) % 2147483647)"
)


def _sql_h(k: int) -> str:
    return H.format(n="g.n", k=k)


def _tables(cursor: Any) -> dict[str, int]:
    from samphan.demo.data import (
        FEMALE_FIRST,
        LAST_NAMES,
        MALE_FIRST,
        NICKNAMES,
        PROVINCES,
        STREETS,
    )

    lists = {
        "b_first": FEMALE_FIRST + MALE_FIRST,
        "b_last": LAST_NAMES,
        "b_suffix": SUFFIXES,
        "b_nick": [(nick, "") for nick in NICKNAMES],
        "b_street": [(street, "") for street in STREETS],
        "b_province": [(name, "") for name, _weight in PROVINCES],
    }
    for table, rows in lists.items():
        cursor.execute(f"CREATE TEMP TABLE {table} (i INTEGER PRIMARY KEY, th TEXT, en TEXT)")
        cursor.executemany(
            f"INSERT INTO {table} VALUES (?, ?, ?)",  # noqa: S608 - the bench's own tables
            [(i, th, en) for i, (th, en) in enumerate(rows)],
        )
    return {table: len(rows) for table, rows in lists.items()}


def latin_of(n: int) -> tuple[str, str]:
    """Person ``n``'s Latin first and last names, as the SQL makes them."""
    from samphan.demo.data import FEMALE_FIRST, LAST_NAMES, MALE_FIRST

    firsts = FEMALE_FIRST + MALE_FIRST
    first = firsts[_h(n, 1) % len(firsts)][1]
    last = LAST_NAMES[_h(n, 3) % len(LAST_NAMES)][1]
    if _h(n, 2) % 10:  # not one of the plain surnames
        last += SUFFIXES[_h(n, 4) % len(SUFFIXES)][1] + SUFFIXES[_h(n, 5) % len(SUFFIXES)][1]
    return first, last


def load(count: int, planted: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from samphan.core.search import bulk_indexing
    from samphan.customers.models import ContactPoint, Customer

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    customer, contact = Customer._meta.db_table, ContactPoint._meta.db_table
    blank = (
        "title, gender, job_title, tax_id, branch, industry, size, website, photo, source, notes"
    )
    empties = ", ".join("''" for _ in blank.split(","))
    common = "created_at, updated_at, stage, tier, is_vip, duplicate_review, custom_fields"
    common_values = "datetime('now'), datetime('now'), 'customer', 'none', 0, 0, '{}'"
    with bulk_indexing(Customer, first_id=1), connection.cursor() as cursor:
        sizes = _tables(cursor)
        cursor.execute(
            f"""WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {COMPANIES})
            INSERT INTO {customer} (id, kind, first_name, last_name, first_name_en,
              last_name_en, nickname, company_name, company_name_en, address, province,
              display_name, search_document, {blank}, {common})
            SELECT g.n, 'company', '', '', '', '', '', 'บริษัท ' || g.n || ' จำกัด',
              'Company ' || g.n, '', '', 'บริษัท ' || g.n || ' จำกัด', '', {empties},
              {common_values} FROM g"""  # noqa: S608 - the bench's own statement
        )
        cursor.execute(
            f"""WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {int(count)}),
            p AS (
              SELECT g.n AS n, f.th AS first, f.en AS first_en,
                l.th || CASE WHEN {_sql_h(2)} % 10 = 0 THEN '' ELSE s1.th || s2.th END AS last,
                l.en || CASE WHEN {_sql_h(2)} % 10 = 0 THEN '' ELSE s1.en || s2.en END AS last_en,
                {_sql_h(6)} % 2 = 0 AS latin,
                CASE WHEN {_sql_h(7)} % 2 = 0 THEN k.th ELSE '' END AS nick,
                CASE WHEN {_sql_h(8)} % 10 < 6
                  THEN date('1960-01-01', '+' || ({_sql_h(8)} / 10 % 16000) || ' days') END
                  AS birthday,
                CASE WHEN {_sql_h(9)} % 10 < 4 THEN ({_sql_h(9)} / 10 % 300 + 1) || '/'
                  || ({_sql_h(9)} / 3000 % 50 + 1) || ' ' || st.th ELSE '' END AS address,
                pr.th AS province,
                CASE WHEN {_sql_h(11)} % 5 = 0 THEN {_sql_h(11)} / 5 % {COMPANIES} + 1 END
                  AS company_id
              FROM g
              JOIN b_first f ON f.i = {_sql_h(1)} % {sizes["b_first"]}
              JOIN b_last l ON l.i = {_sql_h(3)} % {sizes["b_last"]}
              JOIN b_suffix s1 ON s1.i = {_sql_h(4)} % {sizes["b_suffix"]}
              JOIN b_suffix s2 ON s2.i = {_sql_h(5)} % {sizes["b_suffix"]}
              JOIN b_nick k ON k.i = {_sql_h(7)} / 2 % {sizes["b_nick"]}
              JOIN b_street st ON st.i = {_sql_h(9)} / 150000 % {sizes["b_street"]}
              JOIN b_province pr ON pr.i = {_sql_h(10)} % {sizes["b_province"]}
            )
            INSERT INTO {customer} (id, kind, first_name, last_name, first_name_en,
              last_name_en, nickname, company_name, company_name_en, address, province,
              birthday, company_id, display_name, search_document, {blank}, {common})
            SELECT {COMPANIES} + n, 'person', first, last,
              CASE WHEN latin THEN first_en ELSE '' END,
              CASE WHEN latin THEN last_en ELSE '' END, nick, '', '', address, province,
              birthday, company_id, first || ' ' || last, '', {empties}, {common_values}
            FROM p"""  # noqa: S608 - the bench's own statement
        )
        cursor.execute(
            f"""INSERT INTO {contact} (created_at, updated_at, customer_id, kind, value, label,
              is_preferred)
            SELECT datetime('now'), datetime('now'), id, 'mobile',
              '+668' || substr('0000000' || ((id - {COMPANIES}) * 48271 % 99999989), -8), '', 1
            FROM {customer} WHERE kind = 'person'"""  # noqa: S608 - the bench's own statement
        )
        cursor.execute(
            f"""INSERT INTO {contact} (created_at, updated_at, customer_id, kind, value, label,
              is_preferred)
            SELECT datetime('now'), datetime('now'), g.id, 'email',
              lower(f.en) || '.' || (g.id - {COMPANIES}) || '@example.com', '', 0
            FROM (SELECT id, {H.format(n=f"(id - {COMPANIES})", k=12)} AS h12,
                    {H.format(n=f"(id - {COMPANIES})", k=1)} AS h1
                  FROM {customer} WHERE kind = 'person') g
            JOIN b_first f ON f.i = g.h1 % {sizes["b_first"]}
            WHERE g.h12 % 2 = 0"""  # noqa: S608 - the bench's own statement
        )
        cursor.execute(
            f"""INSERT INTO {contact} (created_at, updated_at, customer_id, kind, value, label,
              is_preferred)
            SELECT datetime('now'), datetime('now'), id, 'line', 'ln' || (id - {COMPANIES}),
              '', 0
            FROM {customer} WHERE kind = 'person'
              AND {H.format(n=f"(id - {COMPANIES})", k=13)} % 5 = 0"""  # noqa: S608
        )
    loaded = time.perf_counter() - started
    with transaction.atomic():
        twins = plant(count, planted)
    return {
        "customers": count + COMPANIES + len(twins),
        "load_seconds": round(loaded, 1),
        "plant_seconds": round(time.perf_counter() - started - loaded, 1),
        "twins": twins,
    }


def plant(count: int, planted: int) -> list[tuple[int, int]]:
    """``planted`` twins of persons picked at random, made as the labelled set's are."""
    from tests.customers.dedupe.labelled_pairs import _duplicate

    from samphan.customers.dedupe.summaries import summaries_of
    from samphan.customers.models import ContactPoint, Customer

    rng = random.Random(21)
    originals = sorted(rng.sample(range(1, count + 1), planted))
    people = summaries_of(COMPANIES + n for n in originals)
    employer = dict(
        Customer.objects.filter(pk__in=[COMPANIES + n for n in originals]).values_list(
            "pk", "company_id"
        )
    )
    next_id = COMPANIES + count + 1
    twins, rows, contacts = [], [], []
    for n in originals:
        pk = COMPANIES + n
        twin = _duplicate(rng, people[pk], latin_of(n))
        display = f"{twin.first_name} {twin.last_name}".strip()
        rows.append(
            Customer(
                id=next_id, kind="person", first_name=twin.first_name, last_name=twin.last_name,
                first_name_en=twin.first_name_en, last_name_en=twin.last_name_en,
                nickname=twin.nickname, birthday=twin.birthday, address=twin.address,
                province=twin.province, company_id=employer[pk] if twin.company else None,
                display_name=display or f"{twin.first_name_en} {twin.last_name_en}",
            )
        )  # fmt: skip
        for kind, values in (("mobile", twin.phones), ("email", twin.emails), ("line", twin.line_ids)):  # fmt: skip
            contacts += [ContactPoint(customer_id=next_id, kind=kind, value=v) for v in values]
        twins.append((pk, next_id))
        next_id += 1
    Customer.objects.bulk_create(rows, batch_size=500)
    ContactPoint.objects.bulk_create(contacts, batch_size=500)
    return twins


def find(twins: list[tuple[int, int]]) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from samphan.accounts.models import User
    from samphan.customers.dedupe.finder import duplicates_find
    from samphan.customers.dedupe.possible import possible_duplicates
    from samphan.customers.models import Customer, DuplicateCandidate

    result = duplicates_find()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss // 1024
    cpu = round(usage.ru_utime + usage.ru_stime, 1)  # the machine is shared: wall time varies
    found = set(DuplicateCandidate.objects.values_list("customer_a_id", "customer_b_id"))
    planted = {(min(a, b), max(a, b)) for a, b in twins}
    twin_ids = {b for _a, b in twins}
    touching = [pair for pair in found if twin_ids & set(pair)]
    user = User.objects.create_superuser("bench", "bench@example.com", "x")
    timings = []
    for _a, b in twins[:200]:
        customer = Customer.objects.get(pk=b)
        started = time.perf_counter()
        possible_duplicates(customer, user)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "find_seconds": result.seconds,
        "find_cpu_seconds": cpu,
        "peak_rss_mb": peak,
        "pairs_compared": result.pairs_compared,
        "candidates": result.found,
        "blocks": result.blocks,
        "capped_blocks": result.capped_blocks,
        "largest_block": result.largest_block,
        "planted_pairs": len(planted),
        "planted_found": len(planted & found),
        "recall": round(len(planted & found) / len(planted), 3),
        "precision_on_planted": round(len(planted & found) / max(len(touching), 1), 3),
        "other_candidates": len(found - planted),
        "on_save_p50_ms": round(timings[len(timings) // 2], 1),
        "on_save_p95_ms": round(timings[int(len(timings) * 0.95)], 1),
        "notes": result.notes,
    }


def measure(count: int, planted: int) -> dict[str, Any]:
    """Load in one process and find in another, so the finder's peak memory is its own."""
    env = {**os.environ, "SAMPHAN_VAR_DIR": str(VAR_DIR)}
    env.pop("DATABASE_URL", None)
    script = str(Path(__file__).resolve())
    loaded = subprocess.run(  # noqa: S603
        [sys.executable, script, "--step", "load", "--customers", str(count),
         "--planted", str(planted)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    loading = json.loads(loaded.stdout.strip().splitlines()[-1])
    (VAR_DIR / "twins.json").write_text(json.dumps(loading.pop("twins")))
    found = subprocess.run(  # noqa: S603
        [sys.executable, script, "--step", "find", "--customers", str(count)], env=env,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {**loading, **json.loads(found.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--planted", type=int, default=2000)
    parser.add_argument("--step", choices=["load", "find"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    global VAR_DIR
    VAR_DIR = VAR_DIR.with_name(f"duplicates-{args.customers}")
    if args.step == "load":
        print(json.dumps(load(args.customers, args.planted)))
        return
    if args.step == "find":
        twins = [tuple(pair) for pair in json.loads((VAR_DIR / "twins.json").read_text())]
        print(json.dumps(find(twins), ensure_ascii=False))
        return
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True)
    try:
        print(json.dumps(measure(args.customers, args.planted), ensure_ascii=False))
    finally:
        shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
