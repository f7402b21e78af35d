"""Which customers were erased, kept outside the database (PDPA s.33).

A backup taken before an erasure still holds the person. The database cannot remember an
erasure that a restore undoes, so each erasure also appends a line to this file: the
customer's number and when, never an identifier. After a restore, ``samphan
erasures_reapply`` erases again everyone the file names (``erasure.erasures_reapply``).
Keep the file where backups of the database are not (the default is ``var/``, beside the
database: back it up separately, and never restore an older copy of it over a newer one).
"""

import datetime as dt
import os
from pathlib import Path

from django.conf import settings


def ledger_path() -> Path:
    return Path(settings.SAMPHAN_ERASURE_LEDGER)


def ledger_append(customer_id: int, at: dt.datetime) -> None:
    path = ledger_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as ledger:
        ledger.write(f"{customer_id}\t{at.isoformat()}\n")


def ledger_customer_ids() -> list[int]:
    """The customers the ledger names, in order, each once; lines it cannot read are
    skipped (a half-written last line after a crash)."""
    path = ledger_path()
    if not path.exists():
        return []
    found: dict[int, None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        number = line.partition("\t")[0].strip()
        if number.isdigit():
            found[int(number)] = None
    return list(found)
