"""/api/v1/analytics/top-customers and /share: the top customers and their share of a period."""

from decimal import Decimal
from typing import Any

from ninja import Query, Schema
from pydantic import Field

from samphan.analytics.api.common import PeriodOut, PeriodParams, period_out, router
from samphan.analytics.figures import TopQuestion, figures
from samphan.api.schemas import ERRORS
from samphan.core.http import Request
from samphan.core.permissions import require_perm


class TopParams(PeriodParams):
    limit: int = Field(10, ge=1, le=100)


class TopRowOut(Schema):
    rank: int
    customer_id: int
    name: str
    revenue: Decimal
    profit: Decimal
    orders: int
    share: float = Field(description="of the period's total of the measure, 0 to 1")
    cumulative_share: float


class TopOut(Schema):
    period: PeriodOut
    by: str
    items: list[TopRowOut]


class ShareOut(Schema):
    period: PeriodOut
    by: str
    customers: int = Field(description="with a paid order in the period")
    revenue: Decimal
    profit: Decimal
    concentration: dict[str, float] = Field(
        description='percent of customers ("1", "5", "10", "20", "50", "80", "100") → the '
        "share of the measure the top ⌈percent × customers / 100⌉ customers bring"
    )
    concentration_customers: dict[str, int] = Field(
        description="percent of customers → how many customers that top is, ⌈percent × "
        "customers / 100⌉ (at least one)"
    )
    gini: float | None = Field(
        description="Gini index of the measure over the customers who bought: 0 when each "
        "brings the same, (customers − 1) / customers when one brings everything; null "
        "without a positive total"
    )
    pareto: list[tuple[float, float]] = Field(
        description="(percent of customers best first, cumulative share) at the first rank "
        "reaching each whole percent, from (0, 0); up to 101 points"
    )


@router.get("/analytics/top-customers", response={200: TopOut, **ERRORS})
def top_customers(request: Request, params: Query[TopParams]) -> Any:
    """The customers with the most revenue (or profit) in a period, with their shares."""
    require_perm(request.user, "sales.view_order")
    period = params.chosen()
    question = TopQuestion(period, by=params.by, limit=params.limit)
    items = [row.__dict__ for row in figures(request.user, question).rows]
    return {"period": period_out(period), "by": params.by, "items": items}


@router.get("/analytics/share", response={200: ShareOut, **ERRORS})
def share(request: Request, params: Query[PeriodParams]) -> Any:
    """Totals, concentration (top 1%, 10%, 20%) and the Pareto curve for a period."""
    require_perm(request.user, "sales.view_order")
    period = params.chosen()
    result = figures(request.user, TopQuestion(period, by=params.by, limit=0)).share
    return {
        "period": period_out(period),
        "by": params.by,
        "customers": result.customers,
        "revenue": result.revenue,
        "profit": result.profit,
        "concentration": {str(key): value for key, value in result.concentration.items()},
        "concentration_customers": {
            str(key): value for key, value in result.concentration_customers.items()
        },
        "gini": result.gini,
        "pareto": result.pareto,
    }
