from typing import Any

from django.core.management.base import BaseCommand

from samphan.sales.services import quotes_expire


class Command(BaseCommand):
    help = "Mark sent quotations past their valid-until date as expired (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{quotes_expire()} quotations expired.")
