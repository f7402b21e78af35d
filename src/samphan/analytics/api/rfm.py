"""/api/v1/analytics/rfm: customers and revenue per RFM segment, a customer's scores."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Schema
from pydantic import Field

from samphan.analytics import rfm
from samphan.analytics.api.common import router
from samphan.analytics.models import CustomerRFM, RFMState
from samphan.api.schemas import ERRORS, Id
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer


class SegmentOut(Schema):
    segment: str
    label: str
    customers: int
    revenue: Decimal = Field(description="their lifetime revenue")
    share_of_customers: float
    share_of_revenue: float


class SegmentsOut(Schema):
    computed_at: dt.datetime | None
    segments: list[SegmentOut]


@router.get("/analytics/rfm", response={200: SegmentsOut, **ERRORS})
def rfm_segments(request: Request) -> Any:
    """Customers and revenue per RFM segment (the customers the caller may see)."""
    require_perm(request.user, "sales.view_order")
    rfm.rfm_refresh_if_stale()
    state = RFMState.objects.filter(pk=1).first()
    return {
        "computed_at": state.computed_at if state else None,
        "segments": [row.__dict__ for row in rfm.segment_summary(request.user)],
    }


class CustomerRFMOut(Schema):
    customer_id: int
    recency: int = Field(ge=1, le=5)
    frequency: int = Field(ge=1, le=5)
    monetary: int = Field(ge=1, le=5)
    segment: str
    label: str


@router.get("/analytics/customers/{customer_id}/rfm", response={200: CustomerRFMOut, **ERRORS})
def customer_rfm(request: Request, customer_id: Id) -> Any:
    """A customer's RFM scores and segment; 404 until they have bought and been scored."""
    require_perm(request.user, "sales.view_order")
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_id)
    scores = get_object_or_404(CustomerRFM, customer=customer)
    return {
        "customer_id": customer.pk,
        "recency": scores.recency,
        "frequency": scores.frequency,
        "monetary": scores.monetary,
        "segment": scores.segment,
        "label": scores.get_segment_display(),
    }
