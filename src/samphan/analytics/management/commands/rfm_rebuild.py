import time
from typing import Any

from django.core.management.base import BaseCommand

from samphan.analytics.rfm import rfm_rebuild


class Command(BaseCommand):
    help = "Recompute every customer's RFM scores and segment (set-based SQL)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        customers = rfm_rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(f"Scored {customers:,} customers in {seconds:.1f} s.")
