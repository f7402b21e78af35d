"""/api/v1 merges of duplicate customers (issue 21): merge into a survivor, undo for 30 days."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field

from samphan.api.schemas import ERRORS, Id, MaxChars
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.access import customer_for_user
from samphan.customers.api.common import router
from samphan.customers.merge import customer_merge_undo, customers_merge
from samphan.customers.models import Customer, MergeRecord

PERM = "customers.archive_customer"  # the manage_customers capability


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    duplicate_ids: list[Id] = Field(min_length=1, max_length=50)
    choices: dict[Annotated[str, MaxChars(50)], Id] = Field(
        default_factory=dict, description="field name → id of the customer whose value stays"
    )


class MergeOut(Schema):
    id: int
    survivor_id: int
    duplicate_ids: list[int]
    moved: dict[str, int] = Field(description="rows moved per relation")
    created_at: dt.datetime
    undone_at: dt.datetime | None

    @staticmethod
    def resolve_moved(record: MergeRecord) -> dict[str, int]:
        return {key: sum(len(ids) for ids in rows.values()) for key, rows in record.moved.items()}


@router.post("/customers/{customer_id}/merge", response={201: MergeOut, **ERRORS}, tags=["merges"])
def customer_merge(request: Request, customer_id: Id, payload: MergeIn) -> Any:
    """Merge the duplicates into this customer: everything they own moves here, they are
    archived; `POST /merges/{id}/undo` reverses it for 30 days."""
    survivor = customer_for_user(request.user, customer_id, perm=PERM)
    ids = list(dict.fromkeys(payload.duplicate_ids))
    duplicates = list(Customer.objects.filter(pk__in=ids))
    if len(duplicates) < len(ids):
        raise ValidationError({"duplicate_ids": _("One of these customers was not found.")})
    record = customers_merge(
        actor=request.user, survivor=survivor, duplicates=duplicates, choices=payload.choices
    )
    return 201, record


@router.post("/merges/{merge_id}/undo", response={200: MergeOut, **ERRORS}, tags=["merges"])
def merge_undo(request: Request, merge_id: Id) -> Any:
    """Move back exactly what the merge moved (within 30 days, latest merge first)."""
    require_perm(request.user, PERM)
    visible = Customer.objects.visible_to(request.user)
    record = MergeRecord.objects.filter(pk=merge_id, survivor__in=visible).first()
    if record is None:
        raise Http404
    customer_merge_undo(actor=request.user, record=record)
    record.refresh_from_db()
    return record
