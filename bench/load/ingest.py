"""One order per call through the service on the load test's database, as the full
bench measures it (bench/sales.py ``ingest_one_by_one``: 2,000 orders of five lines on
average, each ``order_record`` in its own transaction), printed as one JSON line. Run by
bench/load/run.py after locust, with the servers stopped, so it measures alone."""

import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samphan.settings")

import django

django.setup()

from bench.sales import Context, disk_settled, ingest_one_by_one  # noqa: E402
from samphan.accounts.models import User  # noqa: E402

if __name__ == "__main__":
    actor = User.objects.get(username=os.environ.get("LOAD_USER", "manager"))
    result = disk_settled(ingest_one_by_one)(actor, Context(random.Random(11)))
    print(json.dumps(result))
