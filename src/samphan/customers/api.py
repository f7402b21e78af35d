"""/api/v1 customers, companies, contact points, interactions, consent and tags.

Thin: parse with strict schemas, authorise, call the same services and queries as the
HTML views, serialise.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Model, QuerySet, TextField
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from samphan.accounts.models import Team, User
from samphan.api.schemas import ERRORS, Choice, Id, IsoDate, IsoDateTime, Text, page_of
from samphan.core.permissions import require_perm
from samphan.customers import queries, services
from samphan.customers.models import (
    LOGGED_INTERACTION_KINDS,
    ConsentRecord,
    ContactPoint,
    Customer,
    Interaction,
    Interest,
    Tag,
)
from samphan.customers.timeline import TIMELINE_PAGE, Cursor, interactions_of, timeline_page

router = Router(tags=["customers"])


# -- Schemas ---------------------------------------------------------------------------


class ContactPointOut(Schema):
    id: int
    kind: str
    value: str
    label: str
    is_preferred: bool


class ContactPointIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Choice(ContactPoint.Kind.values)  # type: ignore[valid-type]
    value: Text(300)  # type: ignore[valid-type]
    label: Text(50) = ""  # type: ignore[valid-type]
    is_preferred: bool = False


class ContactPointCreate(ContactPointIn):
    allow_duplicate: bool = Field(
        False, description="add a phone or e-mail even when another customer has it"
    )


class ContactPointPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Choice(ContactPoint.Kind.values) | None = None  # type: ignore[valid-type]
    value: Text(300) | None = None  # type: ignore[valid-type]
    label: Text(50) | None = None  # type: ignore[valid-type]
    is_preferred: bool | None = None


class CustomerOut(Schema):
    id: int
    kind: str
    display_name: str
    title: str
    first_name: str
    last_name: str
    first_name_en: str
    last_name_en: str
    nickname: str
    birthday: dt.date | None
    gender: str
    company_id: int | None
    job_title: str
    company_name: str
    company_name_en: str
    tax_id: str
    branch: str
    industry: str
    size: str
    website: str
    address: str
    province: str
    member_number: str | None
    stage: str
    tier: str
    is_vip: bool
    owner_id: int | None
    team_id: int | None
    source: str
    referred_by_id: int | None
    custom_fields: dict[str, Any]
    notes: str
    archived: bool = Field(validation_alias="is_archived")
    photo_url: str | None = Field(description="absolute URL of the photo; null when none")
    tags: list[str]
    interests: list[str]
    contact_points: list[ContactPointOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_photo_url(customer: Customer, context: dict[str, Any] | None) -> str | None:
        if not customer.photo:
            return None
        request = (context or {}).get("request")
        url = customer.photo.url
        return request.build_absolute_uri(url) if request is not None else url

    @staticmethod
    def resolve_tags(customer: Customer) -> list[str]:
        return [tag.name for tag in customer.tags.all()]

    @staticmethod
    def resolve_interests(customer: Customer) -> list[str]:
        return [interest.name for interest in customer.interests.all()]

    @staticmethod
    def resolve_contact_points(customer: Customer) -> list[ContactPoint]:
        return list(customer.contact_points.all())


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class CustomerPage(Schema):
    count: int = Field(description="matching customers, counted up to a cap")
    count_capped: bool = Field(description="true when there are more than `count`")
    page: int
    page_size: int
    items: list[CustomerOut]


class CustomerPatch(Schema):
    """Every field optional; only the fields sent change."""

    model_config = ConfigDict(extra="forbid")
    title: Text(30) | None = None  # type: ignore[valid-type]
    first_name: Text(100) | None = None  # type: ignore[valid-type]
    last_name: Text(100) | None = None  # type: ignore[valid-type]
    first_name_en: Text(100) | None = None  # type: ignore[valid-type]
    last_name_en: Text(100) | None = None  # type: ignore[valid-type]
    nickname: Text(50) | None = None  # type: ignore[valid-type]
    birthday: IsoDate | None = None
    gender: Choice(Customer.Gender.values, blank=True) | None = None  # type: ignore[valid-type]
    company_id: Id | None = None
    job_title: Text(100) | None = None  # type: ignore[valid-type]
    company_name: Text(200) | None = None  # type: ignore[valid-type]
    company_name_en: Text(200) | None = None  # type: ignore[valid-type]
    tax_id: Text(20) | None = None  # type: ignore[valid-type]
    branch: Text(5) | None = None  # type: ignore[valid-type]
    industry: Choice(Customer.Industry.values, blank=True) | None = None  # type: ignore[valid-type]
    size: Choice(Customer.CompanySize.values, blank=True) | None = None  # type: ignore[valid-type]
    website: Text(200) | None = None  # type: ignore[valid-type]
    address: Text(1000) | None = None  # type: ignore[valid-type]
    province: Text(60) | None = None  # type: ignore[valid-type]
    member_number: Text(30) | None = None  # type: ignore[valid-type]
    stage: Choice(Customer.Stage.values) | None = None  # type: ignore[valid-type]
    tier: Choice(Customer.Tier.values) | None = None  # type: ignore[valid-type]
    is_vip: bool | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    source: Choice(Customer.Source.values, blank=True) | None = None  # type: ignore[valid-type]
    referred_by_id: Id | None = None
    custom_fields: dict[Text(50), Text(500) | int | float | None] | None = None  # type: ignore[valid-type]
    notes: Text(5000) | None = None  # type: ignore[valid-type]
    tags: list[Text(50)] | None = None  # type: ignore[valid-type]
    interests: list[Text(80)] | None = None  # type: ignore[valid-type]


class CustomerIn(CustomerPatch):
    kind: Choice(Customer.Kind.values) = Customer.Kind.PERSON  # type: ignore[valid-type]
    contact_points: list[ContactPointIn] = Field(default_factory=list, max_length=20)
    allow_duplicate: bool = False


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
    kind: Choice(LOGGED_INTERACTION_KINDS)  # type: ignore[valid-type]
    summary: Text(200)  # type: ignore[valid-type]
    body: Text(10000) = ""  # type: ignore[valid-type]
    channel: Text(30) = ""  # type: ignore[valid-type]
    occurred_at: IsoDateTime | None = None


class InteractionPatch(Schema):
    """Only the fields sent change; `null` clears `body` or `channel`."""

    model_config = ConfigDict(extra="forbid")
    kind: Choice(LOGGED_INTERACTION_KINDS) | None = None  # type: ignore[valid-type]
    summary: Text(200) | None = None  # type: ignore[valid-type]
    body: Text(10000) | None = None  # type: ignore[valid-type]
    channel: Text(30) | None = None  # type: ignore[valid-type]
    occurred_at: IsoDateTime | None = None


class InteractionListParams(PageParams):
    q: Text(100) = Field("", description="text in the summary or body")  # type: ignore[valid-type]
    kind: Choice(Interaction.Kind.values, blank=True) = ""  # type: ignore[valid-type]


class TimelineEntryOut(EntryFields):
    source: str = Field(description="where the entry lives: `interaction` or `order`")
    id: int = Field(description="the interaction's or the order's id")
    url: str = Field(description="the entry's own page in the app, if it has one (an order)")


class TimelinePage(Schema):
    items: list[TimelineEntryOut]
    next: str | None = Field(description="`before` for the next (older) page; null at the end")


class TimelineParams(Schema):
    before: Text(60) = Field("", description="the `next` of the previous page")  # type: ignore[valid-type]
    q: Text(100) = Field("", description="text in the summary or body; an order's number or note")  # type: ignore[valid-type]
    kind: Choice(Interaction.Kind.values, blank=True) = ""  # type: ignore[valid-type]
    limit: int = Field(TIMELINE_PAGE, ge=1, le=200)


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
    channel: Choice(ConsentRecord.Channel.values)  # type: ignore[valid-type]
    status: Choice(ConsentRecord.Status.values)  # type: ignore[valid-type]
    purpose: Choice(ConsentRecord.Purpose.values) = ConsentRecord.Purpose.MARKETING  # type: ignore[valid-type]
    wording_version: Text(20) = ""  # type: ignore[valid-type]


class TagOut(Schema):
    id: int
    name: str


class TagPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[TagOut]


class TagListParams(PageParams):
    q: Text(50) = Field("", description="part of the tag's name")  # type: ignore[valid-type]


class TagIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: Text(50) = Field(min_length=1)  # type: ignore[valid-type]


class ContactPointPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[ContactPointOut]


class ContactPointListParams(PageParams):
    kind: Choice(ContactPoint.Kind.values, blank=True) = ""  # type: ignore[valid-type]


class ListParams(PageParams):
    q: Text(100) = ""  # type: ignore[valid-type]
    kind: Text(10) = ""  # type: ignore[valid-type]
    stage: Text(10) = ""  # type: ignore[valid-type]
    tier: Text(10) = ""  # type: ignore[valid-type]
    industry: Text(20) = ""  # type: ignore[valid-type]
    vip: bool | None = None
    tag: Id | None = None
    owner: Id | None = None
    team: Id | None = None
    archived: bool = False
    sort: Text(10) = queries.DEFAULT_SORT  # type: ignore[valid-type]


# -- Helpers --------------------------------------------------------------------------


def _customers(request: HttpRequest) -> QuerySet[Customer]:
    return Customer.objects.visible_to(request.user).prefetch_related(
        "tags", "interests", "contact_points"
    )


def _customer(
    request: HttpRequest, pk: int, *, perm: str = "", kind: str = "", detail: bool = True
) -> Customer:
    """A customer the caller may see (404 otherwise), after checking ``perm`` (403).

    ``detail`` fetches tags, interests and contact points too, for a ``CustomerOut``.
    """
    require_perm(request.user, perm or "customers.view_customer")
    customers = _customers(request) if detail else Customer.objects.visible_to(request.user)
    if kind:
        customers = customers.filter(kind=kind)
    customer = customers.filter(pk=pk).first()
    if customer is None:
        raise Http404
    return customer


def _existing(model: type[Model], pk: int | None, field: str, queryset: Any = None) -> Any:
    if pk is None:
        return None
    found = (queryset if queryset is not None else model._default_manager).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: f"No {model._meta.model_name} with id {pk}."})
    return found


def _named(model: type[Tag] | type[Interest], names: list[str] | None, field: str) -> Any:
    if names is None:
        return None
    found: list[Tag | Interest] = list(model.objects.filter(name__in=names))
    missing = set(names) - {item.name for item in found}
    if missing:
        raise ValidationError({field: f"Unknown {field}: {', '.join(sorted(missing))}."})
    return found


def _service_fields(request: HttpRequest, payload: CustomerPatch) -> dict[str, Any]:
    data = payload.model_dump(
        exclude_unset=True, exclude={"tags", "interests", "contact_points", "allow_duplicate"}
    )
    visible = Customer.objects.visible_to(request.user)
    references = {
        "owner_id": ("owner", User, None),
        "team_id": ("team", Team, None),
        "company_id": ("company", Customer, visible.companies()),
        "referred_by_id": ("referred_by", Customer, visible),
    }
    for key, (field, model, queryset) in references.items():
        if key in data:
            data[field] = _existing(model, data.pop(key), field, queryset)
    for key, value in list(data.items()):
        if value is not None:
            continue
        model_field = Customer._meta.get_field(key)
        if model_field.null:
            continue  # null clears a date or a reference
        if isinstance(model_field, (CharField, TextField)):
            data[key] = ""  # null clears a text field
        else:
            del data[key]  # null on a required choice or flag changes nothing
    return data


# -- Customers and companies ------------------------------------------------------------


def _list(request: HttpRequest, params: ListParams, kind: str = "") -> dict[str, Any]:
    require_perm(request.user, "customers.view_customer")
    filters = queries.CustomerFilters(
        q=params.q,
        kind=kind or params.kind,
        stage=params.stage,
        tier=params.tier,
        industry=params.industry,
        vip=params.vip,
        tag=params.tag,
        owner=params.owner,
        team=params.team,
        archived=params.archived,
        sort=params.sort if params.sort in queries.SORTS else queries.DEFAULT_SORT,
    )
    customers = queries.customer_list(request.user, filters).prefetch_related(
        "tags", "interests", "contact_points"
    )
    return page_of(customers, params.page, params.page_size, queries.count_cap(filters))


def _duplicate_conflict(
    request: HttpRequest,
    contacts: dict[str, dict[str, Any]],
    *,
    field: str,
    exclude_id: int | None = None,
) -> dict[str, Any]:
    """An error naming the visible customers who already have one of these phones or e-mails.

    ``contacts`` maps the name of each contact's value field (for a bad value's 422) to
    the contact; ``field`` is what the 409 names.
    """
    normalised = []
    for value_field, contact in contacts.items():
        try:
            value = services.contact_value_normalise(contact["kind"], contact["value"])
        except ValidationError as error:
            raise ValidationError({value_field: error.message_dict["value"]}) from error
        normalised.append((contact["kind"], value))
    duplicates = services.duplicates_of(normalised, exclude_id=exclude_id)
    if not duplicates.exists():
        return {}
    # Only ids the caller may see; others are counted, never revealed.
    visible = list(duplicates.visible_to(request.user).values_list("pk", flat=True)[:5])
    return {
        "loc": ["body", field],
        "type": "duplicate",
        "msg": f"A phone or e-mail already belongs to another customer {visible or ''}; "
        "send allow_duplicate=true to create anyway.",
    }


def _create(request: HttpRequest, payload: CustomerIn, kind: str = "") -> Status[Any]:
    require_perm(request.user, "customers.add_customer")
    fields = _service_fields(request, payload)
    fields["kind"] = kind or payload.kind
    contacts = [contact.model_dump() for contact in payload.contact_points]
    if not payload.allow_duplicate:
        named = {f"contact_points.{index}.value": c for index, c in enumerate(contacts)}
        conflict = _duplicate_conflict(request, named, field="contact_points")
        if conflict:
            return Status(409, {"detail": [conflict]})
    customer = services.customer_create(
        actor=request.user,
        fields=fields,
        tags=_named(Tag, payload.tags, "tags") or [],
        interests=_named(Interest, payload.interests, "interests") or [],
        contact_points=contacts,
    )
    return Status(201, _customer(request, customer.pk))


def _update(request: HttpRequest, pk: int, payload: CustomerPatch, kind: str = "") -> Customer:
    customer = _customer(request, pk, perm="customers.change_customer", kind=kind)
    services.customer_update(
        actor=request.user,
        customer=customer,
        fields=_service_fields(request, payload),
        tags=_named(Tag, payload.tags, "tags"),
        interests=_named(Interest, payload.interests, "interests"),
    )
    return _customer(request, pk)


def _archive(request: HttpRequest, pk: int, *, archived: bool, kind: str = "") -> Customer:
    customer = _customer(request, pk, perm="customers.archive_customer", kind=kind)
    services.customer_archive(actor=request.user, customer=customer, archived=archived)
    return _customer(request, pk)


@router.get("/customers", response={200: CustomerPage, **ERRORS})
def customer_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    """People and companies the caller may see; `q` searches names, phones, e-mails, member numbers."""
    return _list(request, params)


@router.post("/customers", response={201: CustomerOut, **ERRORS})
def customer_create(request: HttpRequest, payload: CustomerIn) -> Any:
    """Create a person (or a company with `kind`); 409 when a phone or e-mail is already known."""
    return _create(request, payload)


@router.get("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def customer_get(request: HttpRequest, customer_id: Id) -> Any:
    return _customer(request, customer_id)


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def customer_update(request: HttpRequest, customer_id: Id, payload: CustomerPatch) -> Any:
    return _update(request, customer_id, payload)


@router.post("/customers/{customer_id}/archive", response={200: CustomerOut, **ERRORS})
def customer_archive(request: HttpRequest, customer_id: Id) -> Any:
    """Soft delete: hidden from lists, history kept; `/restore` undoes it."""
    return _archive(request, customer_id, archived=True)


@router.post("/customers/{customer_id}/restore", response={200: CustomerOut, **ERRORS})
def customer_restore(request: HttpRequest, customer_id: Id) -> Any:
    return _archive(request, customer_id, archived=False)


@router.get("/companies", response={200: CustomerPage, **ERRORS}, tags=["companies"])
def company_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    return _list(request, params, kind=Customer.Kind.COMPANY)


@router.post("/companies", response={201: CustomerOut, **ERRORS}, tags=["companies"])
def company_create(request: HttpRequest, payload: CustomerIn) -> Any:
    return _create(request, payload, kind=Customer.Kind.COMPANY)


@router.get("/companies/{company_id}", response={200: CustomerOut, **ERRORS}, tags=["companies"])
def company_get(request: HttpRequest, company_id: Id) -> Any:
    return _customer(request, company_id, kind=Customer.Kind.COMPANY)


@router.patch("/companies/{company_id}", response={200: CustomerOut, **ERRORS}, tags=["companies"])
def company_update(request: HttpRequest, company_id: Id, payload: CustomerPatch) -> Any:
    return _update(request, company_id, payload, kind=Customer.Kind.COMPANY)


@router.post(
    "/companies/{company_id}/archive", response={200: CustomerOut, **ERRORS}, tags=["companies"]
)
def company_archive(request: HttpRequest, company_id: Id) -> Any:
    return _archive(request, company_id, archived=True, kind=Customer.Kind.COMPANY)


# -- Contact points ---------------------------------------------------------------------


def _contact_point(request: HttpRequest, pk: int, perm: str) -> ContactPoint:
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
    request: HttpRequest, customer_id: Id, params: Query[ContactPointListParams]
) -> Any:
    """The preferred one first, then by kind."""
    points = _customer(request, customer_id, detail=False).contact_points.all()
    if params.kind:
        points = points.filter(kind=params.kind)
    return page_of(points, params.page, params.page_size)


@router.post(
    "/customers/{customer_id}/contact-points",
    response={201: ContactPointOut, **ERRORS},
    tags=["contact points"],
)
def contact_point_create(request: HttpRequest, customer_id: Id, payload: ContactPointCreate) -> Any:
    """409 when another customer has this phone or e-mail, unless `allow_duplicate`."""
    customer = _customer(request, customer_id, perm="customers.add_contactpoint", detail=False)
    contact = payload.model_dump(exclude={"allow_duplicate"})
    if not payload.allow_duplicate:
        conflict = _duplicate_conflict(
            request, {"value": contact}, field="value", exclude_id=customer.pk
        )
        if conflict:
            return Status(409, {"detail": [conflict]})
    return Status(201, services.contact_point_add(actor=request.user, customer=customer, **contact))


@router.get(
    "/contact-points/{point_id}", response={200: ContactPointOut, **ERRORS}, tags=["contact points"]
)
def contact_point_get(request: HttpRequest, point_id: Id) -> Any:
    return _contact_point(request, point_id, "customers.view_customer")


@router.patch(
    "/contact-points/{point_id}", response={200: ContactPointOut, **ERRORS}, tags=["contact points"]
)
def contact_point_update(request: HttpRequest, point_id: Id, payload: ContactPointPatch) -> Any:
    point = _contact_point(request, point_id, "customers.change_contactpoint")
    fields = {
        key: value
        for key, value in payload.model_dump(exclude_unset=True).items()
        if value is not None
    }
    return services.contact_point_update(actor=request.user, contact_point=point, fields=fields)


@router.delete(
    "/contact-points/{point_id}", response={204: None, **ERRORS}, tags=["contact points"]
)
def contact_point_delete(request: HttpRequest, point_id: Id) -> Any:
    point = _contact_point(request, point_id, "customers.delete_contactpoint")
    services.contact_point_remove(actor=request.user, contact_point=point)
    return Status(204, None)


# -- Timeline and consent -------------------------------------------------------------


def _interaction(request: HttpRequest, pk: int) -> Interaction:
    require_perm(request.user, "customers.view_customer")
    visible = Customer.objects.visible_to(request.user)
    interaction = Interaction.objects.filter(pk=pk, customer__in=visible).first()
    if interaction is None:
        raise Http404
    return interaction


def _interaction_to_change(request: HttpRequest, pk: int, *, delete: bool = False) -> Interaction:
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
    request: HttpRequest, customer_id: Id, params: Query[InteractionListParams]
) -> Any:
    """The interactions logged on the customer's timeline, newest first; `q` finds text in
    the summary or body. Their purchases are their orders: the whole timeline, orders
    included, is `GET /customers/{id}/timeline`."""
    customer = _customer(request, customer_id, detail=False)
    interactions = interactions_of(customer, q=params.q, kind=params.kind)
    return page_of(interactions, params.page, params.page_size)


@router.get(
    "/customers/{customer_id}/timeline",
    response={200: TimelinePage, **ERRORS},
    tags=["interactions"],
)
def timeline_list(request: HttpRequest, customer_id: Id, params: Query[TimelineParams]) -> Any:
    """The customer's whole timeline, newest first: logged interactions and the orders
    (kind `purchase`, for those who may see orders). Pages by cursor: pass the `next` of
    a page as `before` for the one after."""
    customer = _customer(request, customer_id, detail=False)
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
def interaction_create(request: HttpRequest, customer_id: Id, payload: InteractionIn) -> Any:
    customer = _customer(request, customer_id, perm="customers.add_interaction", detail=False)
    return Status(
        201, services.interaction_log(actor=request.user, customer=customer, **payload.model_dump())
    )


@router.get(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **ERRORS},
    tags=["interactions"],
)
def interaction_get(request: HttpRequest, interaction_id: Id) -> Any:
    return _interaction(request, interaction_id)


@router.patch(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **ERRORS},
    tags=["interactions"],
)
def interaction_update(request: HttpRequest, interaction_id: Id, payload: InteractionPatch) -> Any:
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
def interaction_delete(request: HttpRequest, interaction_id: Id) -> Any:
    """The author may remove an entry; others need a role that may delete interactions."""
    interaction = _interaction_to_change(request, interaction_id, delete=True)
    services.interaction_delete(actor=request.user, interaction=interaction)
    return Status(204, None)


@router.get(
    "/customers/{customer_id}/consents",
    response={200: list[ConsentOut], **ERRORS},
    tags=["consent"],
)
def consent_list(request: HttpRequest, customer_id: Id) -> Any:
    """Every grant and withdrawal, newest first: the latest per channel and purpose is in force."""
    return list(_customer(request, customer_id).consents.all())


@router.post(
    "/customers/{customer_id}/consents", response={201: ConsentOut, **ERRORS}, tags=["consent"]
)
def consent_create(request: HttpRequest, customer_id: Id, payload: ConsentIn) -> Any:
    customer = _customer(request, customer_id, perm="customers.add_consentrecord")
    record = services.consent_record(
        actor=request.user,
        customer=customer,
        source=ConsentRecord.Source.API,
        **payload.model_dump(),
    )
    return Status(201, record)


# -- Tags -----------------------------------------------------------------------------


def _tag(request: HttpRequest, pk: int, perm: str) -> Tag:
    require_perm(request.user, perm)
    tag = Tag.objects.filter(pk=pk).first()
    if tag is None:
        raise Http404
    return tag


@router.get("/tags", response={200: TagPage, **ERRORS}, tags=["tags"])
def tag_list(request: HttpRequest, params: Query[TagListParams]) -> Any:
    """Tags by name; `q` finds part of a name."""
    require_perm(request.user, "customers.view_customer")
    tags = Tag.objects.order_by("name")
    if params.q.strip():
        tags = tags.filter(name__icontains=params.q.strip())
    return page_of(tags, params.page, params.page_size)


@router.post("/tags", response={201: TagOut, **ERRORS}, tags=["tags"])
def tag_create(request: HttpRequest, payload: TagIn) -> Any:
    require_perm(request.user, "customers.add_tag")
    return Status(201, services.tag_save(tag=Tag(), name=payload.name))


@router.get("/tags/{tag_id}", response={200: TagOut, **ERRORS}, tags=["tags"])
def tag_get(request: HttpRequest, tag_id: Id) -> Any:
    return _tag(request, tag_id, "customers.view_customer")


@router.patch("/tags/{tag_id}", response={200: TagOut, **ERRORS}, tags=["tags"])
def tag_update(request: HttpRequest, tag_id: Id, payload: TagIn) -> Any:
    return services.tag_save(tag=_tag(request, tag_id, "customers.change_tag"), name=payload.name)


@router.delete("/tags/{tag_id}", response={204: None, **ERRORS}, tags=["tags"])
def tag_delete(request: HttpRequest, tag_id: Id) -> Any:
    """Takes the tag off every customer; each of them gets an audit row."""
    services.tag_delete(actor=request.user, tag=_tag(request, tag_id, "customers.delete_tag"))
    return Status(204, None)
