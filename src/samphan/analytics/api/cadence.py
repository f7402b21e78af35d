"""/api/v1/analytics: a customer's cadence, who is expected today and who is overdue."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Schema
from pydantic import ConfigDict, Field

from samphan.analytics import queries
from samphan.analytics.api.common import router
from samphan.analytics.cadence import cadence_of
from samphan.analytics.models import CustomerActivity
from samphan.api.schemas import ERRORS, Id
from samphan.core.http import Request
from samphan.core.pagination import CappedPaginator
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer


class CadenceOut(Schema):
    customer_id: int
    days: int = Field(description="local days with a visit or a paid order")
    visits: int
    first_day: dt.date | None
    last_day: dt.date | None
    per_month: float | None
    mean_interval: float | None = Field(description="days")
    interval_spread: float | None = Field(description="standard deviation, days")
    usual_weekdays: list[int] = Field(description="Monday = 0; empty: no regular day")
    weekday_p: float | None = Field(description="chi-square test of an even week")
    usual_hour: int | None
    next_expected: dt.date | None
    days_since_last: int | None
    overdue: bool
    weekdays: list[int] = Field(description="days came by weekday, Monday first")
    hours: list[int] = Field(description="days came by hour of their first event")


@router.get("/analytics/customers/{customer_id}/cadence", response={200: CadenceOut, **ERRORS})
def customer_cadence(request: Request, customer_id: Id) -> Any:
    """When a customer comes: frequency, usual weekday and hour, next expected, overdue."""
    require_perm(request.user, "customers.view_customer")
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_id)
    activity = CustomerActivity.objects.filter(customer=customer).first()
    cadence = cadence_of(activity, timezone.localdate())
    return {**cadence.__dict__, "customer_id": customer.pk}


class RegularOut(Schema):
    customer_id: int
    name: str
    days: int
    last_day: dt.date
    since_last: int
    mean_interval: float | None
    likelihood: float | None = Field(None, description="share of days on today's weekday")


class RegularsOut(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[RegularOut]


class PageParams(Schema):
    model_config = ConfigDict(extra="forbid")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(25, ge=1, le=100)


def _regulars(rows: QuerySet[CustomerActivity], params: PageParams) -> dict[str, Any]:
    paginator = CappedPaginator(rows, params.page_size)
    start = (params.page - 1) * params.page_size
    today = timezone.localdate()
    items = []
    for row in rows[start : start + params.page_size]:
        cadence = cadence_of(row, today)
        items.append(
            {
                "customer_id": row.customer_id,
                "name": row.customer.display_name,
                "days": row.days,
                "last_day": row.last_day,
                "since_last": cadence.days_since_last,
                "mean_interval": cadence.mean_interval,
                "likelihood": getattr(row, "likelihood", None),
            }
        )
    return {
        "count": paginator.count,
        "count_capped": paginator.capped,
        "page": params.page,
        "page_size": params.page_size,
        "items": items,
    }


@router.get("/analytics/expected-today", response={200: RegularsOut, **ERRORS})
def expected_today(request: Request, params: Query[PageParams]) -> Any:
    """Regulars whose usual weekday is today and who are due, most likely first."""
    require_perm(request.user, "customers.view_customer")
    return _regulars(queries.expected_today(request.user, timezone.localdate()), params)


@router.get("/analytics/overdue", response={200: RegularsOut, **ERRORS})
def overdue(request: Request, params: Query[PageParams]) -> Any:
    """Regulars gone well beyond their usual interval (churn risk), most valuable first."""
    require_perm(request.user, "customers.view_customer")
    return _regulars(queries.overdue_regulars(request.user, timezone.localdate()), params)
