import time
from typing import Any

from django.core.management.base import BaseCommand

from samphan.customers.services import consents_rebuild


class Command(BaseCommand):
    help = (
        "Recompute each customer's consents in force (what segments test) from the consent "
        "records, in set-based SQL: after loading records in bulk."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        corrected = consents_rebuild()
        self.stdout.write(
            f"{corrected:,} customers corrected, in {time.perf_counter() - started:.2f} s."
        )
