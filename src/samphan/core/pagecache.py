"""SQLite's page cache sized for one piece of work on this connection, then put back.

The usual size (settings: 64 MB) suits a web process's mix of small reads and writes.
Two kinds of work want another: a large load keeps its index pages in memory in a far
larger cache, and a scan of millions of index entries (a period's orders summed per
customer) runs faster through a small one, whose few pages stay in the processor's
caches (measured at a million customers: 1.45 s with 64 MB, 1.08 s with 2 MB).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

LOAD_KIB = 512_000
SCAN_KIB = 2_000


@contextmanager
def sqlite_page_cache(kib: int) -> Iterator[None]:
    """This connection's page cache at ``kib`` KiB meanwhile (nothing on PostgreSQL)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        usual = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={usual}")
