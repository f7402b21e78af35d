"""Who is in a segment, for a user: always through ``visible_to`` and active customers
only, so a rep's count and list are of their own customers; never a customer whose
processing is restricted (PDPA ss.32, 34: ``processing_allowed``)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from samphan.accounts.models import User
from samphan.core.permissions import sees_all_records
from samphan.customers.models import Customer
from samphan.marketing.models import Segment, SegmentMember
from samphan.marketing.rules import compile_rules

SAMPLE_SIZE = 10


def segment_filter(segment: Segment) -> Q:
    if segment.is_static:
        return Q(pk__in=SegmentMember.objects.filter(segment=segment).values("customer_id"))
    return compile_rules(segment.rules)


def customers_matching(user: User, where: Q) -> QuerySet[Customer]:
    return Customer.objects.visible_to(user).active().processing_allowed().filter(where)


def segment_customers(user: User, segment: Segment) -> QuerySet[Customer]:
    """The segment's customers this user may see, in name order: one query."""
    return customers_matching(user, segment_filter(segment)).order_by("display_name", "id")


def segment_count(user: User, segment: Segment) -> int:
    count = segment_customers(user, segment).order_by().count()
    _remember(user, segment, count)
    return count


def count_remember(user: User, segment: Segment, paginator: Any) -> None:
    """Keep the count a page of the segment made, for the list of segments."""
    if not paginator.capped:
        _remember(user, segment, paginator.count)


def _remember(user: User, segment: Segment, count: int) -> None:
    # Only a count over every customer: a rep's would mislead the next reader.
    if sees_all_records(user) and segment.last_count != count:
        Segment.objects.filter(pk=segment.pk).update(last_count=count, counted_at=timezone.now())


def preview(user: User, rules: Any) -> tuple[int, list[Customer]]:
    """The count and a sample of what ``rules`` select (``RuleError`` when they are bad):
    what the builder shows as you edit."""
    customers = customers_matching(user, compile_rules(rules))
    sample = list(customers.order_by("display_name", "id")[:SAMPLE_SIZE])
    count = len(sample) if len(sample) < SAMPLE_SIZE else customers.order_by().count()
    return count, sample


def segments_offered(user: User) -> QuerySet[Segment]:
    """The saved segments a user may narrow a sales report to, by name."""
    if not user.has_perm("marketing.view_segment"):
        return Segment.objects.none()
    return Segment.objects.order_by("name")
