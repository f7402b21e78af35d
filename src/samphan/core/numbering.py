"""Document numbers that run per year without gaps or repeats under concurrent writes."""

from django.db import transaction
from django.db.models import F

from samphan.core.models import NumberSequence


@transaction.atomic
def next_number(prefix: str, year: int) -> str:
    """``PREFIX-YEAR-000001``, the next in its year. Call inside the writing transaction.

    The increment is one UPDATE, which locks the row until the caller commits, so two
    writers never draw the same number.
    """
    NumberSequence.objects.get_or_create(prefix=prefix, year=year)
    NumberSequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
    last = NumberSequence.objects.values_list("last", flat=True).get(prefix=prefix, year=year)
    return f"{prefix}-{year}-{last:06d}"


def reserve_numbers(prefix: str, year: int, count: int) -> int:
    """Reserve ``count`` numbers at once for a bulk import; returns the first of them."""
    NumberSequence.objects.get_or_create(prefix=prefix, year=year)
    NumberSequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + count)
    last = NumberSequence.objects.values_list("last", flat=True).get(prefix=prefix, year=year)
    return last - count + 1
