"""SQLite's page cache sized for one piece of work on this connection, then put back.

The usual size (settings: 64 MB) suits a web process's mix of small reads and writes.
Two kinds of work want another: a large load keeps its index pages in memory in a far
larger cache, and a scan of millions of index entries (a period's orders summed per
customer) runs faster through a small one, whose few pages stay in the processor's
caches (docs/performance.md has the figures).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from samphan.core import sql

LOAD_KIB = 512_000
SCAN_KIB = 2_000

CACHE_SIZE = "PRAGMA cache_size"
# A PRAGMA takes no parameters: the size is an int, formatted with :d (negative: KiB).
CACHE_SIZE_SET = "PRAGMA cache_size={size:d}"


@contextmanager
def sqlite_page_cache(kib: int) -> Iterator[None]:
    """This connection's page cache at ``kib`` KiB meanwhile (nothing on PostgreSQL)."""
    if sql.is_postgresql():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(CACHE_SIZE)
        usual = int(cursor.fetchone()[0])
        cursor.execute(CACHE_SIZE_SET.format(size=-int(kib)))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(CACHE_SIZE_SET.format(size=usual))
