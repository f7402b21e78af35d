"""Fill the kill-and-restart test's database: N customers with an e-mail and consent to
marketing, and one queued message each. Run in its own process with that database's
settings: ``python -m tests.messaging.kill_setup N``."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samphan.settings")

import django

django.setup()

from django.utils import timezone  # noqa: E402

from samphan.customers.models import ConsentRecord, ContactPoint, Customer  # noqa: E402
from samphan.messaging.outbox import Draft, messages_queue_many  # noqa: E402


def main(count: int) -> None:
    now = timezone.now()
    customers = Customer.objects.bulk_create(
        Customer(first_name=f"ลูกค้า{n}", last_name="ทดสอบ", display_name=f"ลูกค้า{n} ทดสอบ",
                 search_document=f"ลูกค้า{n}")
        for n in range(count)
    )  # fmt: skip
    ContactPoint.objects.bulk_create(
        ContactPoint(customer=c, kind="email", value=f"c{n}@example.com")
        for n, c in enumerate(customers)
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(customer=c, channel="email", purpose="marketing", status="granted",
                      at=now, source="import")
        for c in customers
    )  # fmt: skip
    drafts = [
        Draft(c.pk, "email", "marketing", f"c{n}@example.com", f"ข่าวสารฉบับที่ {n}",
              f"kill-test-{n}", subject=f"ข่าว {n}")
        for n, c in enumerate(customers)
    ]  # fmt: skip
    print(messages_queue_many(drafts))


if __name__ == "__main__":
    main(int(sys.argv[1]))
