"""A merge of two customers with 5,000 orders each (issue 21; target under 2 s).

Run alone: ``.venv/bin/python -m bench.merge`` (a fresh SQLite database in a temporary
directory; orders written in bulk, since it is the merge that is measured).
"""

import os
import tempfile
import time

os.environ.setdefault("SAMPHAN_VAR_DIR", tempfile.mkdtemp(prefix="samphan-bench-merge-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samphan.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from samphan.customers.merge import customer_merge_undo, customers_merge  # noqa: E402
from samphan.customers.models import Customer  # noqa: E402
from samphan.sales.models import Order  # noqa: E402

ORDERS = 5_000


def measure_merge() -> dict[str, float]:
    one = Customer.objects.create(first_name="สมชาย", kind="person")
    two = Customer.objects.create(first_name="Somchai", kind="person")
    now = timezone.now()
    Order.objects.bulk_create(
        Order(number=f"B{who.pk}-{n}", customer=who, ordered_at=now, channel="store")
        for who in (one, two)
        for n in range(ORDERS)
    )
    started = time.perf_counter()
    record = customers_merge(actor=None, survivor=one, duplicates=[two])
    merged = time.perf_counter() - started
    assert Order.objects.filter(customer=one).count() == 2 * ORDERS
    started = time.perf_counter()
    customer_merge_undo(actor=None, record=record)
    undone = time.perf_counter() - started
    assert Order.objects.filter(customer=two).count() == ORDERS
    return {"merge_s": round(merged, 3), "undo_s": round(undone, 3)}


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    print(measure_merge())
