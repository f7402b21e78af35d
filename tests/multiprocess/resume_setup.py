"""Fill the kill-and-resume tests' database (``tests/multiprocess/test_kill_resume.py``), in
its own process with that database's settings:
``python -m tests.multiprocess.resume_setup campaign N`` (N customers with an e-mail and
consent, and an e-mail campaign to all of them scheduled now; prints its id) or
``… import N`` (an administrator's queued import of N new customers; prints its id)."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samphan.settings")

import django

django.setup()

from django.utils import timezone  # noqa: E402

from samphan.accounts.models import Role  # noqa: E402
from samphan.customers.imports.jobs import import_job_create  # noqa: E402
from samphan.customers.imports.mapping import propose_mapping  # noqa: E402
from samphan.customers.imports.readers import read_table  # noqa: E402
from samphan.customers.models import ConsentRecord, ContactPoint, Customer  # noqa: E402
from tests.factories import UserFactory  # noqa: E402
from tests.multiprocess.setup_data import campaign  # noqa: E402


def customers(count: int) -> None:
    now = timezone.now()
    made = Customer.objects.bulk_create(
        Customer(first_name=f"ลูกค้า{n}", last_name="ทดสอบ", display_name=f"ลูกค้า{n} ทดสอบ",
                 nickname=f"น้อง{n}", search_document=f"ลูกค้า{n}")
        for n in range(count)
    )  # fmt: skip
    ContactPoint.objects.bulk_create(
        ContactPoint(customer=c, kind="email", value=f"c{n}@example.com")
        for n, c in enumerate(made)
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(customer=c, channel="email", purpose="marketing", status="granted",
                      at=now, source="import")
        for c in made
    )  # fmt: skip


def import_file(count: int) -> bytes:
    lines = ["ชื่อ,นามสกุล,เบอร์โทร,อีเมล"]
    lines += [f"นำเข้า{n},ทดสอบ,08{n:08d},i{n}@example.com" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def import_job(count: int) -> int:
    boss = UserFactory(username="boss", role=Role.ADMIN)
    data = import_file(count)
    mapping = propose_mapping(read_table(data, "customers.csv").headers)
    job = import_job_create(actor=boss, data=data, file_name="customers.csv", mapping=mapping)
    return job.pk


if __name__ == "__main__":
    if sys.argv[1] == "campaign":
        customers(int(sys.argv[2]))
        print(campaign())
    else:
        print(import_job(int(sys.argv[2])))
