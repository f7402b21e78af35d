"""The few expressions SQLite and PostgreSQL spell differently: local day, weekday, hour.

Each is a fragment of a statement run with parameters, so a literal % is written %%.

Stored times are UTC. PostgreSQL converts with its time-zone data; SQLite has none, so it
shifts by the zone's fixed offset, which is exact for Thailand (no daylight saving since
1920) and for any zone without it.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection


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
    if connection.vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE '{_zone_name()}') AS date)"
    return f"date({column}, '{_offset_minutes():+d} minutes')"


def local_hour(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(HOUR FROM ({column} AT TIME ZONE '{_zone_name()}')) AS integer)"
    return f"CAST(strftime('%%H', {column}, '{_offset_minutes():+d} minutes') AS integer)"


def weekday(day: str) -> str:
    """Monday = 0 … Sunday = 6, of a day expression."""
    if connection.vendor == "postgresql":
        return f"(CAST(EXTRACT(ISODOW FROM {day}) AS integer) - 1)"
    return f"((CAST(strftime('%%w', {day}) AS integer) + 6) %% 7)"


def days_between(later: str, earlier: str) -> str:
    """Whole days from ``earlier`` to ``later`` (two day expressions)."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS integer)"
