"""The few pieces of SQL that SQLite and PostgreSQL spell differently, in one place.

Domain modules keep their statements as named constants beside the code that runs them and
ask this module for the parts that differ, instead of testing ``connection.vendor`` inside
domain functions. Every function returns a fragment made only of our own names and
keywords, never of values: values travel as parameters. Fragments are run with
parameters, so a literal % is written %%.

Stored times are UTC. PostgreSQL converts with its time-zone data; SQLite has none, so it
shifts by the zone's fixed offset, which is exact for Thailand (no daylight saving since
1920) and for any zone without it.
"""

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models.expressions import RawSQL


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def statistics_refresh(*tables: str) -> None:
    """PostgreSQL: ``ANALYZE`` these tables now (none named: every table). The planner counts a table's rows from
    its last ``ANALYZE``, which autovacuum runs only a minute or so after the table grew
    by a tenth: while a bulk load fills a small table it plans for the rows that were
    there before (a nested loop over 2 customers that are now 10,000: 7 s a query, not
    20 ms). SQLite plans without statistics here: nothing to do."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        if not tables:
            cursor.execute("ANALYZE")
        for table in tables:
            cursor.execute(f"ANALYZE {quote_name(table)}")  # our tables' names, never input


def pick(*, postgresql: str, sqlite: str) -> str:
    """The statement or fragment written for the database in use."""
    return postgresql if is_postgresql() else sqlite


def quote_name(name: str) -> str:
    return connection.ops.quote_name(name)


def placeholders(count: int) -> str:
    """``%s, %s, …`` for an IN list of ``count`` values."""
    return ", ".join(["%s"] * count)


def least() -> str:
    """The smaller of several arguments (SQLite's MIN with two or more arguments)."""
    return pick(postgresql="LEAST", sqlite="MIN")


def greatest() -> str:
    return pick(postgresql="GREATEST", sqlite="MAX")


def is_not_distinct() -> str:
    """Equality that holds between two NULLs."""
    return pick(postgresql="IS NOT DISTINCT FROM", sqlite="IS")


def for_update() -> str:
    """Row locks where the database has them (SQLite locks the whole file on write)."""
    return pick(postgresql=" FOR UPDATE", sqlite="")


def date_param() -> str:
    """A parameter holding a date, typed so PostgreSQL can do date arithmetic on it."""
    return pick(postgresql="CAST(%s AS date)", sqlite="%s")


def timestamp_param() -> str:
    return pick(postgresql="CAST(%s AS timestamptz)", sqlite="%s")


def date_literal(day: dt.date) -> str:
    """A date written into a statement (a date object, never text from input)."""
    literal = f"'{day.isoformat()}'"
    return f"CAST({literal} AS date)" if is_postgresql() else literal


def id_rows() -> str:
    """A one-column row source of the integers in one parameter (see ``id_rows_param``):
    one parameter however many ids, where an IN list would need one each."""
    return pick(postgresql="SELECT unnest(%s::bigint[])", sqlite="SELECT value FROM json_each(%s)")


def id_rows_param(ids: Iterable[int]) -> str:
    # As text on both: psycopg adapts a long list of ints much more slowly than one string.
    numbers = ",".join(str(int(value)) for value in ids)
    return "{" + numbers + "}" if is_postgresql() else f"[{numbers}]"


def among_ids(ids: Iterable[int]) -> RawSQL:
    """For ``filter(pk__in=among_ids(ids))``: a long id list as one parameter. Bound as
    an IN list, a thousand ids cost Django and psycopg about 10 ms of CPU a query."""
    return RawSQL(id_rows(), [id_rows_param(ids)])  # noqa: S611 - one bound parameter


def text_agg(expression: str) -> str:
    """The values of a text expression over a group, joined by single spaces (NULL for
    no row): for values that hold no space, such as codes and names of our own."""
    return pick(
        postgresql=f"string_agg({expression}, ' ')", sqlite=f"group_concat({expression}, ' ')"
    )


def json_param(values: Sequence[object]) -> str:
    return json.dumps(list(values))


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _zone_name() -> str:
    # Checked by ZoneInfo (a key is letters, digits and "/_+-"), so safe inside SQL.
    return zone().key


def _offset_minutes() -> int:
    offset = dt.datetime.now(zone()).utcoffset() or dt.timedelta()
    return int(offset.total_seconds() // 60)


def local_day(column: str) -> str:
    """The local calendar day of a stored UTC time, as a date (text on SQLite)."""
    if is_postgresql():
        return f"CAST(({column} AT TIME ZONE '{_zone_name()}') AS date)"
    return f"date({column}, '{_offset_minutes():+d} minutes')"


def local_hour(column: str) -> str:
    if is_postgresql():
        return f"CAST(EXTRACT(HOUR FROM ({column} AT TIME ZONE '{_zone_name()}')) AS integer)"
    return f"CAST(strftime('%%H', {column}, '{_offset_minutes():+d} minutes') AS integer)"


def weekday(day: str) -> str:
    """Monday = 0 … Sunday = 6, of a day expression."""
    return pick(
        postgresql=f"(CAST(EXTRACT(ISODOW FROM {day}) AS integer) - 1)",
        sqlite=f"((CAST(strftime('%%w', {day}) AS integer) + 6) %% 7)",
    )


def days_between(later: str, earlier: str) -> str:
    """Whole days from ``earlier`` to ``later`` (two day expressions)."""
    return pick(
        postgresql=f"({later} - {earlier})",
        sqlite=f"CAST(julianday({later}) - julianday({earlier}) AS integer)",
    )


def chains_writes() -> bool:
    """Whether a statement can carry other writes in its WITH clause (PostgreSQL), saving
    their round trips; SQLite runs in the process, where a statement has none to save."""
    return is_postgresql()
