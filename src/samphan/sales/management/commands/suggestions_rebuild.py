from typing import Any

from django.core.management.base import BaseCommand

from samphan.sales.affinities import affinities_rebuild


class Command(BaseCommand):
    help = "Recompute the similar-products table from the paid orders (set-based SQL)."

    def handle(self, *args: Any, **options: Any) -> None:
        rebuild = affinities_rebuild()
        self.stdout.write(
            f"{rebuild.pairs:,} product pairs from {rebuild.paid_orders:,} paid orders "
            f"in {rebuild.seconds:.2f} s."
        )
