"""/api/v1 interactions logged on a customer's timeline, and the whole timeline with the
orders, paged by cursor."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Query, Schema, Status
from pydantic import ConfigDict, Field

from samphan.api.schemas import ERRORS, Id, IsoDateTime, MaxChars, OneOf, Search, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers import services
from samphan.customers.access import customer_for_user
from samphan.customers.api.common import PageParams, router
from samphan.customers.models import LOGGED_INTERACTION_KINDS, Customer, Interaction
from samphan.customers.timeline import TIMELINE_PAGE, Cursor, interactions_of, timeline_page


class EntryFields(Schema):
    """What every timeline entry says, whatever it is."""

    kind: str
    occurred_at: dt.datetime
    user_id: int | None
    channel: str
    summary: str
    body: str


class InteractionOut(EntryFields):
    id: int
    customer_id: int


class InteractionPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[InteractionOut]


class InteractionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, OneOf(LOGGED_INTERACTION_KINDS)]
    summary: Annotated[str, MaxChars(200)]
    body: Annotated[str, MaxChars(10000)] = ""
    channel: Annotated[str, MaxChars(30)] = ""
    occurred_at: IsoDateTime | None = None


class InteractionPatch(Schema):
    """Only the fields sent change; `null` clears `body` or `channel`."""

    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, OneOf(LOGGED_INTERACTION_KINDS)] | None = None
    summary: Annotated[str, MaxChars(200)] | None = None
    body: Annotated[str, MaxChars(10000)] | None = None
    channel: Annotated[str, MaxChars(30)] | None = None
    occurred_at: IsoDateTime | None = None


class InteractionListParams(PageParams):
    q: Search = Field("", description="text in the summary or body")
    kind: Annotated[str, OneOf(Interaction.Kind.values, blank=True)] = ""


class TimelineEntryOut(EntryFields):
    source: str = Field(description="where the entry lives: `interaction` or `order`")
    id: int = Field(description="the interaction's or the order's id")
    url: str = Field(description="the entry's own page in the app, if it has one (an order)")


class TimelinePage(Schema):
    items: list[TimelineEntryOut]
    next: str | None = Field(description="`before` for the next (older) page; null at the end")


class TimelineParams(Schema):
    before: Annotated[str, MaxChars(60)] = Field("", description="the `next` of the previous page")
    q: Search = Field("", description="text in the summary or body; an order's number or note")
    kind: Annotated[str, OneOf(Interaction.Kind.values, blank=True)] = ""
    limit: int = Field(TIMELINE_PAGE, ge=1, le=200)


def _interaction(request: Request, pk: int) -> Interaction:
    require_perm(request.user, "customers.view_customer")
    visible = Customer.objects.visible_to(request.user)
    interaction = Interaction.objects.filter(pk=pk, customer__in=visible).first()
    if interaction is None:
        raise Http404
    return interaction


def _interaction_to_change(request: Request, pk: int, *, delete: bool = False) -> Interaction:
    """A visible interaction (404) the caller logged, or may change as their role allows (403)."""
    interaction = _interaction(request, pk)
    if not interaction.may_be_changed_by(request.user, delete=delete):
        raise PermissionDenied
    return interaction


@router.get(
    "/customers/{customer_id}/interactions",
    response={200: InteractionPage, **ERRORS},
    tags=["interactions"],
)
def interaction_list(
    request: Request, customer_id: Id, params: Query[InteractionListParams]
) -> Any:
    """The interactions logged on the customer's timeline, newest first; `q` finds text in
    the summary or body. Their purchases are their orders: the whole timeline, orders
    included, is `GET /customers/{id}/timeline`."""
    customer = customer_for_user(request.user, customer_id, perm="customers.view_customer")
    interactions = interactions_of(customer, q=params.q, kind=params.kind)
    return page_of(interactions, params.page, params.page_size)


@router.get(
    "/customers/{customer_id}/timeline",
    response={200: TimelinePage, **ERRORS},
    tags=["interactions"],
)
def timeline_list(request: Request, customer_id: Id, params: Query[TimelineParams]) -> Any:
    """The customer's whole timeline, newest first: logged interactions and the orders
    (kind `purchase`, for those who may see orders). Pages by cursor: pass the `next` of
    a page as `before` for the one after."""
    customer = customer_for_user(request.user, customer_id, perm="customers.view_customer")
    before = None
    if params.before:
        before = Cursor.parse(params.before)
        if before is None:
            raise ValidationError(
                {"before": "Not a cursor from this timeline: pass a page's `next`."}
            )
    entries, older = timeline_page(
        request.user, customer, before=before, q=params.q, kind=params.kind, size=params.limit
    )
    items = [{**vars(entry), "user_id": entry.user.pk if entry.user else None} for entry in entries]
    return {"items": items, "next": str(older) if older else None}


@router.post(
    "/customers/{customer_id}/interactions",
    response={201: InteractionOut, **ERRORS},
    tags=["interactions"],
)
def interaction_create(request: Request, customer_id: Id, payload: InteractionIn) -> Any:
    customer = customer_for_user(request.user, customer_id, perm="customers.add_interaction")
    return Status(
        201, services.interaction_log(actor=request.user, customer=customer, **payload.model_dump())
    )


@router.get(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **ERRORS},
    tags=["interactions"],
)
def interaction_get(request: Request, interaction_id: Id) -> Any:
    return _interaction(request, interaction_id)


@router.patch(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **ERRORS},
    tags=["interactions"],
)
def interaction_update(request: Request, interaction_id: Id, payload: InteractionPatch) -> Any:
    """The author may correct an entry; others need a role that may change interactions."""
    interaction = _interaction_to_change(request, interaction_id)
    fields = payload.model_dump(exclude_unset=True)
    for name in ("body", "channel"):
        if name in fields and fields[name] is None:
            fields[name] = ""  # null clears an optional text
    fields = {name: value for name, value in fields.items() if value is not None}
    return services.interaction_update(actor=request.user, interaction=interaction, fields=fields)


@router.delete(
    "/interactions/{interaction_id}", response={204: None, **ERRORS}, tags=["interactions"]
)
def interaction_delete(request: Request, interaction_id: Id) -> Any:
    """The author may remove an entry; others need a role that may delete interactions."""
    interaction = _interaction_to_change(request, interaction_id, delete=True)
    services.interaction_delete(actor=request.user, interaction=interaction)
    return Status(204, None)
