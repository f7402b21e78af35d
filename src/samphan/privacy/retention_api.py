"""/api/v1/privacy/retention: the retention periods and what applying them would do
today (GET), and changing them (PATCH); administrators only, as the page."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from pydantic import ConfigDict, StrictBool, StrictInt

from samphan.api.schemas import ERRORS
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.privacy.retention import retention_plan, retention_policy_update
from samphan.privacy.retention_models import RetentionPolicy
from samphan.privacy.retention_views import MANAGE

router = Router(tags=["privacy"])


class SampleOut(Schema):
    id: int
    date: dt.date


class PurposeOut(Schema):
    purpose: str
    title: str
    does: str
    months: int
    before: dt.date | None
    count: int
    first: list[SampleOut]


class RetentionOut(Schema):
    leads_months: int
    customers_months: int
    messages_months: int
    access_log_months: int
    auto_apply: bool
    last_applied_on: dt.date | None
    plan: list[PurposeOut]


class RetentionPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    leads_months: StrictInt | None = None
    customers_months: StrictInt | None = None
    messages_months: StrictInt | None = None
    access_log_months: StrictInt | None = None
    auto_apply: StrictBool | None = None


def _out(policy: RetentionPolicy) -> dict[str, Any]:
    plan = retention_plan(policy=policy)
    return {
        **{name: getattr(policy, name) for name in RetentionOut.model_fields if name != "plan"},
        "plan": [
            {
                "purpose": item.key,
                "title": str(item.purpose.title),
                "does": str(item.purpose.does),
                "months": item.months,
                "before": item.before,
                "count": item.count,
                "first": [{"id": pk, "date": day} for pk, day in item.sample],
            }
            for item in plan
        ],
    }


@router.get("/privacy/retention", response={200: RetentionOut, **ERRORS})
def retention_get(request: Request) -> Any:
    """The periods (months; 0 keeps forever) and the plan: per purpose, how many records
    applying the periods today would act on, and the first 20 (id, date). A dry run."""
    require_perm(request.user, MANAGE)
    return _out(RetentionPolicy.current())


@router.patch("/privacy/retention", response={200: RetentionOut, **ERRORS})
def retention_update(request: Request, payload: RetentionPatch) -> Any:
    """Change periods (0 to 240 months) or `auto_apply`; a bad value answers 422 naming
    the field and changes nothing."""
    require_perm(request.user, MANAGE)
    fields = payload.model_dump(exclude_unset=True)
    for name, value in fields.items():
        if value is None:
            raise ValidationError({name: "Cannot be null."})
    return _out(retention_policy_update(actor=request.user, data=fields))
