"""/api/v1 who saw a customer (PDPA, issue 20), newest first, paged by cursor: for those
who may read the audit log, of the customers they may see."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema
from pydantic import Field

from samphan.api.schemas import ERRORS, Id, MaxChars
from samphan.core.http import Request
from samphan.customers.access import customer_for_user
from samphan.privacy.access_log import KIND_OF
from samphan.privacy.access_queries import ACCESS_PAGE, AccessCursor, accesses_of
from samphan.privacy.access_views import SEE_ACCESSES

router = Router(tags=["privacy"])
KIND_NAMES: dict[int, str] = {int(number): name for name, number in KIND_OF.items()}


class AccessOut(Schema):
    id: int
    at: dt.datetime
    user_id: int
    kind: str  # page, card, export or api
    export_id: int | None
    export: str | None


class AccessPage(Schema):
    items: list[AccessOut]
    next: str | None


class AccessParams(Schema):
    before: Annotated[str, MaxChars(60)] = Field("", description="the `next` of the previous page")
    user_id: Id | None = None
    kind: Annotated[str, Field(pattern="^(page|card|export|api)?$")] = ""
    limit: int = Field(ACCESS_PAGE, ge=1, le=200)


@router.get("/customers/{customer_id}/access", response={200: AccessPage, **ERRORS})
def customer_access(request: Request, customer_id: Id, params: Query[AccessParams]) -> Any:
    """Who saw the customer (their page, a front-desk card, an export, an API read), newest
    first. Pass a page's `next` as `before` for the page after it."""
    customer = customer_for_user(request.user, customer_id, perm=SEE_ACCESSES)
    before = None
    if params.before:
        before = AccessCursor.parse(params.before)
        if before is None:
            raise ValidationError({"before": "Not a cursor of this list: pass a page's `next`."})
    accesses, older = accesses_of(
        customer.pk,
        user_id=params.user_id,
        kind=KIND_OF[params.kind] if params.kind else None,
        before=before,
        size=params.limit,
    )
    items = [
        {
            "id": access.id,
            "at": access.at,
            "user_id": access.user_id,
            "kind": KIND_NAMES[access.kind],
            "export_id": access.export.pk if access.export else None,
            "export": access.export.what if access.export else None,
        }
        for access in accesses
    ]
    return {"items": items, "next": str(older) if older else None}
