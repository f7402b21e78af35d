"""/api/v1/privacy/requests and /api/v1/privacy/breaches: data-subject requests and the
breach register, for managers and admins; the same services as the pages."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt

from samphan.accounts.models import User
from samphan.api.schemas import ERRORS, Id, IsoDate, IsoDateTime, MaxChars, OneOf, Search, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.models import Customer
from samphan.privacy import services
from samphan.privacy.models import Breach, SubjectRequest
from samphan.privacy.request_queries import (
    RequestFilters,
    breach_for_user,
    requests_listed,
    subject_request_for_user,
)

router = Router(tags=["privacy"])


Moment = IsoDateTime  # ISO 8601 text only (api.schemas)


class SubjectRequestOut(Schema):
    id: int
    kind: str
    customer_id: int | None
    requester_name: str
    requester_contact: str
    identity_method: str
    identity_note: str
    received_on: dt.date
    due_on: dt.date
    days_left: int = Field(description="days until due_on; negative when overdue")
    status: str
    refusal_reason: str
    handled_by_id: int | None
    closed_at: dt.datetime | None
    notes: str
    created_at: dt.datetime

    @staticmethod
    def resolve_days_left(obj: SubjectRequest) -> int:
        return obj.days_left()


class SubjectRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, OneOf(SubjectRequest.Kind.values)]
    requester_name: Annotated[str, MaxChars(200)] = Field(min_length=1)
    requester_contact: Annotated[str, MaxChars(200)] = Field(min_length=1)
    customer_id: Id | None = None
    identity_method: Annotated[str, OneOf(SubjectRequest.Identity.values)] = (
        SubjectRequest.Identity.NOT_YET
    )
    identity_note: Annotated[str, MaxChars(300)] = ""
    received_on: IsoDate | None = Field(None, description="today when left out")
    status: Annotated[str, OneOf(SubjectRequest.OPEN_STATUSES)] = SubjectRequest.Status.OPEN
    handled_by_id: Id | None = None
    notes: Annotated[str, MaxChars(5000)] = ""


class SubjectRequestPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, OneOf(SubjectRequest.Kind.values)] | None = None
    requester_name: Annotated[str, MaxChars(200)] | None = Field(None, min_length=1)
    requester_contact: Annotated[str, MaxChars(200)] | None = Field(None, min_length=1)
    customer_id: Id | None = None
    identity_method: Annotated[str, OneOf(SubjectRequest.Identity.values)] | None = None
    identity_note: Annotated[str, MaxChars(300)] | None = None
    received_on: IsoDate | None = None
    status: Annotated[str, OneOf(SubjectRequest.Status.values)] | None = Field(
        None, description="done or refused closes it; refused needs refusal_reason"
    )
    refusal_reason: Annotated[str, MaxChars(5000)] | None = None
    handled_by_id: Id | None = None
    notes: Annotated[str, MaxChars(5000)] | None = None


class SubjectRequestPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[SubjectRequestOut]


class SubjectRequestParams(Schema):
    kind: Annotated[str, OneOf(SubjectRequest.Kind.values, blank=True)] = ""
    status: Annotated[str, OneOf([*SubjectRequest.Status.values, "unfinished", "all"])] = (
        "unfinished"
    )
    q: Search = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def _customer(user: User, pk: int | None) -> Customer | None:
    if pk is None:
        return None
    customer = Customer.objects.visible_to(user).filter(pk=pk).first()
    if customer is None:
        raise ValidationError({"customer_id": "No customer with this id that you may see."})
    return customer


def _handler(pk: int | None) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise ValidationError({"handled_by_id": "No active user with this id."})
    return user


def _request_data(user: User, fields: dict[str, Any]) -> dict[str, Any]:
    data = dict(fields)
    if "customer_id" in data:
        data["customer"] = _customer(user, data.pop("customer_id"))
    if "handled_by_id" in data:
        data["handled_by"] = _handler(data.pop("handled_by_id"))
    return data


@router.get("/privacy/requests", response={200: SubjectRequestPage, **ERRORS})
def subject_request_list(request: Request, params: Query[SubjectRequestParams]) -> Any:
    """Unfinished requests first (the nearest deadline first); `status=all` for every one."""
    require_perm(request.user, "privacy.view_subjectrequest")
    filters = RequestFilters(kind=params.kind, status=params.status, q=params.q)
    return page_of(requests_listed(filters), params.page, params.page_size)


@router.post("/privacy/requests", response={201: SubjectRequestOut, **ERRORS})
def subject_request_create(request: Request, payload: SubjectRequestIn) -> Any:
    """Log a request; `due_on` is 30 days after `received_on` (PDPA s.30)."""
    require_perm(request.user, "privacy.add_subjectrequest")
    data = _request_data(request.user, payload.model_dump())
    if data["received_on"] is None:
        del data["received_on"]
    return Status(201, services.subject_request_create(actor=request.user, data=data))


@router.get("/privacy/requests/{request_id}", response={200: SubjectRequestOut, **ERRORS})
def subject_request_get(request: Request, request_id: Id) -> Any:
    return subject_request_for_user(request.user, request_id)


@router.patch("/privacy/requests/{request_id}", response={200: SubjectRequestOut, **ERRORS})
def subject_request_update(request: Request, request_id: Id, payload: SubjectRequestPatch) -> Any:
    """Change what is sent; `status` done or refused closes the request, and a restriction
    or objection closed as done restricts the customer's processing."""
    found = subject_request_for_user(request.user, request_id, perm="privacy.change_subjectrequest")
    fields = payload.model_dump(exclude_unset=True)
    for name in ("kind", "requester_name", "requester_contact", "identity_method", "status"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: "Cannot be null."})
    for name in ("identity_note", "refusal_reason", "notes"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    if "received_on" in fields and fields["received_on"] is None:
        raise ValidationError({"received_on": "Cannot be null."})
    data = _request_data(request.user, fields)
    return services.subject_request_update(actor=request.user, request=found, data=data)


# -- Breaches ----------------------------------------------------------------------------


class BreachOut(Schema):
    id: int
    what_happened: str
    found_at: dt.datetime
    happened_at: dt.datetime | None
    report_by: dt.datetime = Field(description="found_at + 72 hours: tell the PDPC before")
    affected_count: int | None
    customer_ids: list[int]
    data_kinds: str
    risk: str
    measures: str
    regulator_notified_at: dt.datetime | None
    people_notified_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_customer_ids(obj: Breach) -> list[int]:
        return sorted(customer.pk for customer in obj.customers.all())


class BreachIn(Schema):
    model_config = ConfigDict(extra="forbid")
    what_happened: Annotated[str, MaxChars(5000)] = Field(min_length=1)
    found_at: Moment
    happened_at: Moment | None = None
    affected_count: StrictInt | None = Field(None, ge=0, le=2_000_000_000)
    customer_ids: list[Id] | None = Field(None, max_length=10_000)
    data_kinds: Annotated[str, MaxChars(300)] = Field(min_length=1)
    risk: Annotated[str, OneOf(Breach.Risk.values)] = Breach.Risk.MEDIUM
    measures: Annotated[str, MaxChars(5000)] = ""
    regulator_notified_at: Moment | None = None
    people_notified_at: Moment | None = None


class BreachPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    what_happened: Annotated[str, MaxChars(5000)] | None = Field(None, min_length=1)
    found_at: Moment | None = None
    happened_at: Moment | None = None
    affected_count: StrictInt | None = Field(None, ge=0, le=2_000_000_000)
    customer_ids: list[Id] | None = Field(None, max_length=10_000)
    data_kinds: Annotated[str, MaxChars(300)] | None = Field(None, min_length=1)
    risk: Annotated[str, OneOf(Breach.Risk.values)] | None = None
    measures: Annotated[str, MaxChars(5000)] | None = None
    regulator_notified_at: Moment | None = None
    people_notified_at: Moment | None = None


class BreachPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[BreachOut]


class BreachParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def _breach_customers(user: User, ids: list[int] | None) -> list[Customer] | None:
    if ids is None:
        return None
    found = list(Customer.objects.visible_to(user).filter(pk__in=set(ids)))
    missing = set(ids) - {customer.pk for customer in found}
    if missing:
        raise ValidationError(
            {"customer_ids": f"No customers you may see with ids {sorted(missing)[:10]}."}
        )
    return found


@router.get("/privacy/breaches", response={200: BreachPage, **ERRORS})
def breach_list(request: Request, params: Query[BreachParams]) -> Any:
    """The breach register, the latest found first."""
    require_perm(request.user, "privacy.view_breach")
    breaches = Breach.objects.prefetch_related("customers").order_by("-found_at", "-id")
    return page_of(breaches, params.page, params.page_size)


@router.post("/privacy/breaches", response={201: BreachOut, **ERRORS})
def breach_create(request: Request, payload: BreachIn) -> Any:
    require_perm(request.user, "privacy.add_breach")
    data = payload.model_dump()
    customers = _breach_customers(request.user, data.pop("customer_ids"))
    return Status(201, services.breach_create(actor=request.user, data=data, customers=customers))


@router.get("/privacy/breaches/{breach_id}", response={200: BreachOut, **ERRORS})
def breach_get(request: Request, breach_id: Id) -> Any:
    return breach_for_user(request.user, breach_id)


@router.patch("/privacy/breaches/{breach_id}", response={200: BreachOut, **ERRORS})
def breach_update(request: Request, breach_id: Id, payload: BreachPatch) -> Any:
    breach = breach_for_user(request.user, breach_id, perm="privacy.change_breach")
    data = payload.model_dump(exclude_unset=True)
    for name in ("what_happened", "found_at", "data_kinds", "risk"):
        if name in data and data[name] is None:
            raise ValidationError({name: "Cannot be null."})
    if "measures" in data and data["measures"] is None:
        data["measures"] = ""
    customers = _breach_customers(request.user, data.pop("customer_ids", None))
    return services.breach_update(actor=request.user, breach=breach, data=data, customers=customers)
