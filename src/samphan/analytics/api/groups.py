"""/api/v1/analytics/top-groups: revenue and profit per customer group or channel."""

from decimal import Decimal
from typing import Any, Literal

from ninja import Query, Schema

from samphan.analytics.api.common import PeriodOut, PeriodParams, period_out, router
from samphan.analytics.figures import GroupQuestion, figures
from samphan.api.schemas import ERRORS
from samphan.core.http import Request
from samphan.core.permissions import require_perm


class GroupParams(PeriodParams):
    group: Literal["tier", "tag", "segment", "industry", "province", "channel"]


class GroupRowOut(Schema):
    value: str
    label: str
    customers: int
    orders: int
    revenue: Decimal
    profit: Decimal
    share: float


class GroupsOut(Schema):
    period: PeriodOut
    group: str
    by: str
    items: list[GroupRowOut]


@router.get("/analytics/top-groups", response={200: GroupsOut, **ERRORS})
def top_groups(request: Request, params: Query[GroupParams]) -> Any:
    """Revenue and profit per customer group (tier, tag, RFM segment, industry, province)
    or sales channel for a period, largest first; a customer with two tags counts in both."""
    require_perm(request.user, "sales.view_order")
    period = params.chosen()
    rows = figures(request.user, GroupQuestion(period, params.group, by=params.by)).rows
    return {
        "period": period_out(period),
        "group": params.group,
        "by": params.by,
        "items": [row.__dict__ for row in rows],
    }
