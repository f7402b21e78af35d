"""What the roll-ups share: their tables, the local day of a stored time, and writes sent
along with a statement."""

import datetime as dt
from typing import Any, NamedTuple

from django.db import connection

from samphan.analytics.models import HOURS, WEEKDAYS, CustomerActivity, DailySales, HourlyTraffic
from samphan.core import sql
from samphan.customers.models import Interaction
from samphan.sales.models import Order

ORDERS = Order._meta.db_table
INTERACTIONS = Interaction._meta.db_table
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


class Along(NamedTuple):
    """Other writes sent with a statement (a new order's day and hour with its customer's
    update), by name: in the statement's WITH clause where the database takes writes there
    (``sql.chains_writes``: one round trip for all), else each after it."""

    statements: dict[str, str]
    params: list[list[Any]]  # each statement's, in order

    def prefix(self) -> str:
        if not self.statements or not sql.chains_writes():
            return ""
        named = (f"{name} AS ({statement})" for name, statement in self.statements.items())
        return f"WITH {', '.join(named)} "

    def prefix_params(self) -> list[Any]:
        if not self.statements or not sql.chains_writes():
            return []
        return [value for params in self.params for value in params]

    def after(self) -> None:
        """Run the writes the statement could not carry."""
        if sql.chains_writes():
            return
        with connection.cursor() as cursor:
            for statement, params in zip(self.statements.values(), self.params, strict=True):
                cursor.execute(statement, params)


NOTHING_ALONG = Along({}, [])
