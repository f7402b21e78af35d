"""The analyses, as reads, one module per question. Every one takes the user and goes
through ``visible_to``: a rep limited to their own records sees their own figures.
``analytics.figures`` is the entry point for the top-customer figures; it chooses
between these SQL reads and the columns in memory."""

from samphan.analytics.models import RFMSegment  # marketing.rules reads it from here
from samphan.analytics.queries.customer import (
    TOP_THRESHOLD_SECONDS,
    activity_of,
    customer_week_hours,
    in_top_by_revenue,
)
from samphan.analytics.queries.groups import (
    GROUPS,
    PER_TABLE,
    GroupRow,
    channel_rows_by_sql,
    group_label,
    group_rows,
    grouped_from_sums,
)
from samphan.analytics.queries.paid import period_totals
from samphan.analytics.queries.ranking import (
    CONCENTRATION,
    MEASURES,
    Share,
    TopRow,
    gini,
    is_mark,
    ranked_by_sql,
    top_and_share_of,
    top_count,
)
from samphan.analytics.queries.regulars import expected_today, overdue_regulars
from samphan.analytics.queries.segments import (
    period_buyer_ids,
    rfm_segment_customer_ids,
    usual_weekday_customer_ids,
)

__all__ = [
    "CONCENTRATION",
    "GROUPS",
    "MEASURES",
    "PER_TABLE",
    "TOP_THRESHOLD_SECONDS",
    "GroupRow",
    "RFMSegment",
    "Share",
    "TopRow",
    "activity_of",
    "channel_rows_by_sql",
    "customer_week_hours",
    "expected_today",
    "gini",
    "group_label",
    "group_rows",
    "grouped_from_sums",
    "in_top_by_revenue",
    "is_mark",
    "overdue_regulars",
    "period_buyer_ids",
    "period_totals",
    "ranked_by_sql",
    "rfm_segment_customer_ids",
    "top_and_share_of",
    "top_count",
    "usual_weekday_customer_ids",
]
