"""/api/v1 consent: every grant and withdrawal a customer gave, and recording a new one."""

import datetime as dt
from typing import Annotated, Any

from ninja import Schema, Status
from pydantic import ConfigDict

from samphan.api.schemas import ERRORS, Id, MaxChars, OneOf
from samphan.core.http import Request
from samphan.customers import services
from samphan.customers.access import customer_for_user
from samphan.customers.api.common import router, with_details
from samphan.customers.models import ConsentRecord


class ConsentOut(Schema):
    id: int
    channel: str
    purpose: str
    status: str
    at: dt.datetime
    source: str
    wording_version: str


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    channel: Annotated[str, OneOf(ConsentRecord.Channel.values)]
    status: Annotated[str, OneOf(ConsentRecord.Status.values)]
    purpose: Annotated[str, OneOf(ConsentRecord.Purpose.values)] = ConsentRecord.Purpose.MARKETING
    wording_version: Annotated[str, MaxChars(20)] = ""


@router.get(
    "/customers/{customer_id}/consents",
    response={200: list[ConsentOut], **ERRORS},
    tags=["consent"],
)
def consent_list(request: Request, customer_id: Id) -> Any:
    """Every grant and withdrawal, newest first: the latest per channel and purpose is in force."""
    return list(
        customer_for_user(
            request.user, customer_id, perm="customers.view_customer", queryset=with_details()
        ).consents.all()
    )


@router.post(
    "/customers/{customer_id}/consents", response={201: ConsentOut, **ERRORS}, tags=["consent"]
)
def consent_create(request: Request, customer_id: Id, payload: ConsentIn) -> Any:
    customer = customer_for_user(
        request.user, customer_id, perm="customers.add_consentrecord", queryset=with_details()
    )
    record = services.consent_record(
        actor=request.user,
        customer=customer,
        source=ConsentRecord.Source.API,
        **payload.model_dump(),
    )
    return Status(201, record)
