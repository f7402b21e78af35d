"""/api/v1 contact points: a customer's phones, e-mails and handles, each changed on its own."""

from typing import Annotated, Any

from django.http import Http404
from ninja import Query, Schema, Status
from pydantic import ConfigDict, Field

from samphan.api.schemas import ERRORS, Id, MaxChars, OneOf, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers import services
from samphan.customers.access import customer_for_user
from samphan.customers.api.common import (
    ContactPointIn,
    ContactPointOut,
    PageParams,
    duplicate_conflict,
    router,
)
from samphan.customers.models import ContactPoint, Customer


class ContactPointCreate(ContactPointIn):
    allow_duplicate: bool = Field(
        False, description="add a phone or e-mail even when another customer has it"
    )


class ContactPointPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, OneOf(ContactPoint.Kind.values)] | None = None
    value: Annotated[str, MaxChars(300)] | None = None
    label: Annotated[str, MaxChars(50)] | None = None
    is_preferred: bool | None = None


class ContactPointPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[ContactPointOut]


class ContactPointListParams(PageParams):
    kind: Annotated[str, OneOf(ContactPoint.Kind.values, blank=True)] = ""


def _contact_point(request: Request, pk: int, perm: str) -> ContactPoint:
    require_perm(request.user, perm)
    visible = Customer.objects.visible_to(request.user)
    point = (
        ContactPoint.objects.filter(pk=pk, customer__in=visible).select_related("customer").first()
    )
    if point is None:
        raise Http404
    return point


@router.get(
    "/customers/{customer_id}/contact-points",
    response={200: ContactPointPage, **ERRORS},
    tags=["contact points"],
)
def contact_point_list(
    request: Request, customer_id: Id, params: Query[ContactPointListParams]
) -> Any:
    """The preferred one first, then by kind."""
    points = customer_for_user(
        request.user, customer_id, perm="customers.view_customer"
    ).contact_points.all()
    if params.kind:
        points = points.filter(kind=params.kind)
    return page_of(points, params.page, params.page_size)


@router.post(
    "/customers/{customer_id}/contact-points",
    response={201: ContactPointOut, **ERRORS},
    tags=["contact points"],
)
def contact_point_create(request: Request, customer_id: Id, payload: ContactPointCreate) -> Any:
    """409 when another customer has this phone or e-mail, unless `allow_duplicate`."""
    customer = customer_for_user(request.user, customer_id, perm="customers.add_contactpoint")
    contact = payload.model_dump()
    try:
        point = services.contact_point_add(actor=request.user, customer=customer, **contact)
    except services.DuplicateContactError as error:
        return duplicate_conflict(request, error)
    return Status(201, point)


@router.get(
    "/contact-points/{point_id}", response={200: ContactPointOut, **ERRORS}, tags=["contact points"]
)
def contact_point_get(request: Request, point_id: Id) -> Any:
    return _contact_point(request, point_id, "customers.view_customer")


@router.patch(
    "/contact-points/{point_id}", response={200: ContactPointOut, **ERRORS}, tags=["contact points"]
)
def contact_point_update(request: Request, point_id: Id, payload: ContactPointPatch) -> Any:
    point = _contact_point(request, point_id, "customers.change_contactpoint")
    fields = {
        key: value
        for key, value in payload.model_dump(exclude_unset=True).items()
        if value is not None
    }
    # PATCH has never refused a duplicate (its body has no allow_duplicate to say otherwise).
    return services.contact_point_update(
        actor=request.user, contact_point=point, fields=fields, allow_duplicate=True
    )


@router.delete(
    "/contact-points/{point_id}", response={204: None, **ERRORS}, tags=["contact points"]
)
def contact_point_delete(request: Request, point_id: Id) -> Any:
    point = _contact_point(request, point_id, "customers.delete_contactpoint")
    services.contact_point_remove(actor=request.user, contact_point=point)
    return Status(204, None)
