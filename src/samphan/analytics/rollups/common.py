"""What the roll-ups share: their tables, and the local day of a stored time."""

import datetime as dt
from typing import Any

from django.db import connection

from samphan.analytics.models import HOURS, WEEKDAYS, CustomerActivity, DailySales, HourlyTraffic
from samphan.core import sql

ACTIVITY = CustomerActivity._meta.db_table
DAILY = DailySales._meta.db_table
HOURLY = HourlyTraffic._meta.db_table
COUNTER_COLUMNS = [f"weekday_{day}" for day in WEEKDAYS] + [f"hour_{hour}" for hour in HOURS]


def when_param(moment: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def day_param(day: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(sql.zone()).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A local day as a UTC range [start, end)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=sql.zone())
    return start, start + dt.timedelta(days=1)
