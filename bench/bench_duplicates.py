"""The duplicate finder over many customers (issue 21): N customers with names from the
demo lists (Thai, half with a Latin spelling), a mobile each, and about 2% planted
duplicates (half a spelling variant of a name, half the same phone typed again), then one
full ``duplicates_find``. Prints one JSON object: seconds, peak memory, pairs compared,
candidates found and how many planted pairs were among them.

    python bench/bench_duplicates.py                    # 100,000 customers
    python bench/bench_duplicates.py --customers 1000000

A fresh SQLite database in var/bench/duplicates (removed afterwards). Target (issue 21):
1,000,000 customers under 10 minutes on 2 cores, memory under 2 GB. Figures in
docs/performance.md ("Duplicate finder at scale"), written by hand.
"""

import argparse
import json
import os
import random
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VAR_DIR = ROOT / "var" / "bench" / "duplicates"
PLANTED_SHARE = 0.02
LOAD_BATCH = 10_000
TONES = "่้๊๋"


def _variant(rng: random.Random, first: str, first_en: str) -> tuple[str, str]:
    """A second spelling of a first name: a tone mark dropped, or only the Latin name."""
    dropped = "".join(ch for ch in first if ch not in TONES)
    if dropped != first and rng.random() < 0.5:
        return dropped, ""
    return "", first_en


def measure(count: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from samphan.customers.dedupe.finder import duplicates_find
    from samphan.customers.models import ContactPoint, Customer
    from samphan.demo.data import FEMALE_FIRST, LAST_NAMES, MALE_FIRST

    call_command("migrate", verbosity=0)
    rng = random.Random(21)
    firsts = FEMALE_FIRST + MALE_FIRST
    planted = int(count * PLANTED_SHARE)
    loaded = time.perf_counter()
    rows: list[tuple[str, str, str, str, str]] = []  # first, last, first_en, last_en, phone
    for n in range(count - planted):
        first, last = rng.choice(firsts), rng.choice(LAST_NAMES)
        latin = rng.random() < 0.5
        rows.append((first[0], last[0], first[1] if latin else "", last[1] if latin else "",
                     f"+668{10_000_000 + n}"))  # fmt: skip
    twins: list[tuple[int, int]] = []
    for _ in range(planted):
        index = rng.randrange(count - planted)  # an original, never a twin
        first, last, first_en, last_en, phone = rows[index]
        if rng.random() < 0.5:  # the same phone, another name
            rows.append((first[:2], "", "", "", phone))
        else:
            latin_first = first_en or next(en for th, en in firsts if th == first)
            latin_last = last_en or next(en for th, en in LAST_NAMES if th == last)
            twin_first, twin_first_en = _variant(rng, first, latin_first)
            rows.append((twin_first, last if twin_first else "", twin_first_en,
                         "" if twin_first else latin_last, f"+669{10_000_000 + len(rows)}"))  # fmt: skip
        twins.append((index + 1, len(rows)))  # ids are the row numbers from 1
    for start in range(0, len(rows), LOAD_BATCH):
        chunk = rows[start : start + LOAD_BATCH]
        customers = Customer.objects.bulk_create(
            Customer(id=start + i + 1, kind="person", first_name=a, last_name=b,
                     first_name_en=c, last_name_en=d, display_name=f"{a or c} {b or d}")
            for i, (a, b, c, d, _phone) in enumerate(chunk)
        )  # fmt: skip
        ContactPoint.objects.bulk_create(
            ContactPoint(customer=customer, kind="mobile", value=row[4])
            for customer, row in zip(customers, chunk, strict=True)
        )
    load_seconds = time.perf_counter() - loaded

    from samphan.customers.models import DuplicateCandidate

    result = duplicates_find()
    found = set(DuplicateCandidate.objects.values_list("customer_a_id", "customer_b_id"))
    planted_found = sum((min(a, b), max(a, b)) in found for a, b in twins)
    return {
        "customers": result.customers,
        "planted_pairs": len(twins),
        "planted_found": planted_found,
        "load_seconds": round(load_seconds, 1),
        "find_seconds": result.seconds,
        "pairs_compared": result.pairs_compared,
        "candidates": result.found,
        "blocks": result.blocks,
        "capped_blocks": result.capped_blocks,
        "largest_block": result.largest_block,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "notes": result.notes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True)
    os.environ["SAMPHAN_VAR_DIR"] = str(VAR_DIR)
    os.environ.pop("DATABASE_URL", None)
    try:
        print(json.dumps(measure(args.customers), ensure_ascii=False))
    finally:
        shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
