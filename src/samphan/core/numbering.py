"""Document numbers that run per year without gaps or repeats under concurrent writes."""

from django.db import connection

from samphan.core import sql
from samphan.core.models import NumberSequence

TABLE = NumberSequence._meta.db_table
# {table} and {last} are quoted names from the model ("last" is a keyword in some SQL).
RESERVE = "UPDATE {table} SET {last} = {last} + %s WHERE prefix = %s AND year = %s RETURNING {last}"


def next_number(prefix: str, year: int) -> str:
    """``PREFIX-YEAR-000001``, the next in its year. Call inside the writing transaction."""
    return f"{prefix}-{year}-{reserve_numbers(prefix, year, 1):06d}"


def reserve_numbers(prefix: str, year: int, count: int) -> int:
    """Reserve ``count`` numbers at once; returns the first of them.

    One ``UPDATE … RETURNING``: it locks the row until the caller commits, so two writers
    never draw the same number, and costs one round trip (an order is written a thousand
    times a second). The year's row is created on its first number; the unique constraint
    settles two writers creating it at once.
    """
    statement = RESERVE.format(table=sql.quote_name(TABLE), last=sql.quote_name("last"))
    with connection.cursor() as cursor:
        cursor.execute(statement, [count, prefix, year])
        row = cursor.fetchone()
    if row is None:
        NumberSequence.objects.get_or_create(prefix=prefix, year=year)
        return reserve_numbers(prefix, year, count)
    return int(row[0]) - count + 1
