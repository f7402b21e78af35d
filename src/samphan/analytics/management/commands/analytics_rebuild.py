import time
from typing import Any

from django.core.management.base import BaseCommand

from samphan.analytics.rollups import analytics_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the analytics roll-ups (each customer's visits and cadence, sales per "
        "day) from the orders and visits, with set-based SQL."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        counts = analytics_rebuild()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Rebuilt the activity of {counts['customers']:,} customers and "
            f"{counts['days']:,} days of sales and {counts['hours']:,} hours of traffic "
            f"in {seconds:.1f} s."
        )
