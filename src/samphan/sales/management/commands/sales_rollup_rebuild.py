import time
from typing import Any

from django.core.management.base import BaseCommand

from samphan.sales.services import rollup_rebuild


class Command(BaseCommand):
    help = "Recompute every customer's purchase roll-up from the orders (set-based SQL)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        customers = rollup_rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(f"Rebuilt the roll-ups of {customers:,} customers in {seconds:.1f} s.")
