"""/api/v1/customers/{id}/personal-data (the access ZIP, any role that may see the
customer) and /api/v1/customers/{id}/erase (admins only; 409 with the reasons when the
customer cannot be erased yet)."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from samphan.api.schemas import ERRORS, Id, MaxChars
from samphan.core.http import Request
from samphan.customers.access import customer_for_user
from samphan.privacy.erasure import ErasureRefusedError, customer_erase
from samphan.privacy.subject_export import customer_export, export_file_name
from samphan.privacy.views_subject import ERASE, VIEW, zip_response

router = Router(tags=["personal data"])


class EraseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, MaxChars(500)]


class ErasedOut(Schema):
    id: int
    erased_at: dt.datetime
    display_name: str


@router.get("/customers/{customer_id}/personal-data", response={200: None, **ERRORS})
def personal_data(request: Request, customer_id: Id) -> HttpResponse:
    """A ZIP of everything held about the customer (application/zip): data.json, a CSV per
    kind of data with Thai and English headers, README.txt. Recorded in the audit log."""
    customer = customer_for_user(request.user, customer_id, perm=VIEW)
    return zip_response(customer_export(customer, actor=request.user), export_file_name(customer))


@router.post("/customers/{customer_id}/erase", response={200: ErasedOut, **ERRORS})
def erase(request: Request, customer_id: Id, payload: EraseIn) -> Any:
    """Anonymise the customer (PDPA s.33): admins only. 409 lists why it cannot be done
    yet (an open deal or quotation, a company, erased already)."""
    customer = customer_for_user(request.user, customer_id, perm=ERASE)
    if not payload.reason.strip():
        raise ValidationError({"reason": _("Say which request this answers.")})
    try:
        return customer_erase(customer, actor=request.user, reason=payload.reason.strip())
    except ErasureRefusedError as refused:
        return Status(409, {"detail": " ".join(refused.messages)})
