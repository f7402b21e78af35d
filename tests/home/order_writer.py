"""Writes paid orders through the sales service, one after another, until the file named by
its argument appears (``python -m tests.home.order_writer STOP``): the app at work while a
backup is taken. Prints the running count."""

import random
import sys
import threading
from decimal import Decimal
from pathlib import Path

import django


def write_until(stop: Path) -> None:
    from django.core.exceptions import ValidationError

    from samphan.customers.models import Customer
    from samphan.sales import services
    from samphan.sales.models import Order, Product

    customers = list(Customer.objects.order_by("pk")[:20])
    skus = list(Product.objects.order_by("pk").values_list("sku", flat=True)[:10])
    rng = random.Random(7)
    written = 0
    while not stop.exists():
        line = services.LineInput(product=rng.choice(skus), quantity=Decimal(rng.randint(1, 3)))
        try:
            services.order_record(actor=None, customer=rng.choice(customers), lines=[line],
                                  channel=Order.Channel.STORE)  # fmt: skip
        except ValidationError:
            continue
        written += 1
        print(written, flush=True)


if __name__ == "__main__":
    django.setup()
    thread = threading.Thread(target=write_until, args=(Path(sys.argv[1]),))
    thread.start()
    thread.join()
