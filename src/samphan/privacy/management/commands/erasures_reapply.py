from typing import Any

from django.core.management.base import BaseCommand

from samphan.privacy.erasure import erasures_reapply
from samphan.privacy.erasure_ledger import ledger_path


class Command(BaseCommand):
    help = (
        "After restoring a database backup: erase again every customer the erasure ledger "
        "names (SAMPHAN_ERASURE_LEDGER) whom the restored data holds unerased."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        erased, refused = erasures_reapply()
        self.stdout.write(f"{ledger_path()}: {len(erased)} customers erased again")
        for pk, reasons in refused.items():
            self.stderr.write(f"customer #{pk} not erased: {'; '.join(reasons)}")
        if refused:
            self.stderr.write("Fix the above (e.g. close the deal), then run this again.")
