"""/api/v1 customers and companies: list, create (409 on a known phone or e-mail), read,
change, archive and restore."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import CharField, Model, TextField
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status
from pydantic import ConfigDict, Field

from samphan.accounts.models import Team, User
from samphan.api.schemas import ERRORS, Id, IsoDate, MaxChars, OneOf, Search, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers import queries, services
from samphan.customers.access import customer_for_user
from samphan.customers.api.common import (
    ContactPointIn,
    ContactPointOut,
    PageParams,
    duplicate_conflict,
    router,
    with_details,
)
from samphan.customers.models import ContactPoint, Customer, Interest, Tag
from samphan.customers.seen import seen, seen_many


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


class CustomerPage(Schema):
    count: int = Field(description="matching customers, counted up to a cap")
    count_capped: bool = Field(description="true when there are more than `count`")
    page: int
    page_size: int
    items: list[CustomerOut]


class CustomerPatch(Schema):
    """Every field optional; only the fields sent change."""

    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, MaxChars(30)] | None = None
    first_name: Annotated[str, MaxChars(100)] | None = None
    last_name: Annotated[str, MaxChars(100)] | None = None
    first_name_en: Annotated[str, MaxChars(100)] | None = None
    last_name_en: Annotated[str, MaxChars(100)] | None = None
    nickname: Annotated[str, MaxChars(50)] | None = None
    birthday: IsoDate | None = None
    gender: Annotated[str, OneOf(Customer.Gender.values, blank=True)] | None = None
    company_id: Id | None = None
    job_title: Annotated[str, MaxChars(100)] | None = None
    company_name: Annotated[str, MaxChars(200)] | None = None
    company_name_en: Annotated[str, MaxChars(200)] | None = None
    tax_id: Annotated[str, MaxChars(20)] | None = None
    branch: Annotated[str, MaxChars(5)] | None = None
    industry: Annotated[str, OneOf(Customer.Industry.values, blank=True)] | None = None
    size: Annotated[str, OneOf(Customer.CompanySize.values, blank=True)] | None = None
    website: Annotated[str, MaxChars(200)] | None = None
    address: Annotated[str, MaxChars(1000)] | None = None
    province: Annotated[str, MaxChars(60)] | None = None
    member_number: Annotated[str, MaxChars(30)] | None = None
    stage: Annotated[str, OneOf(Customer.Stage.values)] | None = None
    tier: Annotated[str, OneOf(Customer.Tier.values)] | None = None
    is_vip: bool | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    source: Annotated[str, OneOf(Customer.Source.values, blank=True)] | None = None
    referred_by_id: Id | None = None
    custom_fields: (
        dict[Annotated[str, MaxChars(50)], Annotated[str, MaxChars(500)] | int | float | None]
        | None
    ) = None
    notes: Annotated[str, MaxChars(5000)] | None = None
    tags: list[Annotated[str, MaxChars(50)]] | None = None
    interests: list[Annotated[str, MaxChars(80)]] | None = None


class CustomerIn(CustomerPatch):
    kind: Annotated[str, OneOf(Customer.Kind.values)] = Customer.Kind.PERSON
    contact_points: list[ContactPointIn] = Field(default_factory=list, max_length=20)
    allow_duplicate: bool = False


class ListParams(PageParams):
    q: Search = ""
    kind: Annotated[str, MaxChars(10)] = ""
    stage: Annotated[str, MaxChars(10)] = ""
    tier: Annotated[str, MaxChars(10)] = ""
    industry: Annotated[str, MaxChars(20)] = ""
    vip: bool | None = None
    tag: Id | None = None
    owner: Id | None = None
    team: Id | None = None
    archived: bool = False
    sort: Annotated[str, MaxChars(10)] = queries.DEFAULT_SORT


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


def _service_fields(request: Request, payload: CustomerPatch) -> dict[str, Any]:
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


def _detail(request: Request, pk: int, kind: str = "") -> Customer:
    return customer_for_user(
        request.user, pk, perm="customers.view_customer", queryset=with_details(kind)
    )


def _still_visible(request: Request, pk: int, payload: CustomerPatch, kind: str) -> Customer:
    """The customer as written, or a 422 on the reference that took it out of the caller's
    sight (an owner or team they may not hand records to); the API's transaction then
    rolls the write back, so nothing is saved."""
    try:
        return _detail(request, pk, kind)
    except Http404:
        sent = payload.model_fields_set
        field = "team_id" if "team_id" in sent and "owner_id" not in sent else "owner_id"
        raise ValidationError(
            {field: _("You may not give a customer to someone outside the records you can see.")}
        ) from None


def _list(request: Request, params: ListParams, kind: str = "") -> dict[str, Any]:
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
    page = page_of(customers, params.page, params.page_size, queries.count_cap(filters))
    seen_many(request.user, [customer.pk for customer in page["items"]], "api")
    return page


def _create(request: Request, payload: CustomerIn, kind: str = "") -> Status[Any]:
    require_perm(request.user, "customers.add_customer")
    fields = _service_fields(request, payload)
    fields["kind"] = kind or payload.kind
    contacts = [contact.model_dump() for contact in payload.contact_points]
    try:
        customer = services.customer_create(
            actor=request.user,
            fields=fields,
            tags=_named(Tag, payload.tags, "tags") or [],
            interests=_named(Interest, payload.interests, "interests") or [],
            contact_points=contacts,
            allow_duplicate=payload.allow_duplicate,
        )
    except services.DuplicateContactError as error:
        return duplicate_conflict(request, error)
    return Status(201, _still_visible(request, customer.pk, payload, kind))


def _update(request: Request, pk: int, payload: CustomerPatch, kind: str = "") -> Customer:
    customer = customer_for_user(
        request.user, pk, perm="customers.change_customer", queryset=with_details(kind)
    )
    services.customer_update(
        actor=request.user,
        customer=customer,
        fields=_service_fields(request, payload),
        tags=_named(Tag, payload.tags, "tags"),
        interests=_named(Interest, payload.interests, "interests"),
    )
    return _still_visible(request, pk, payload, kind)


def _archive(request: Request, pk: int, *, archived: bool, kind: str = "") -> Customer:
    customer = customer_for_user(
        request.user, pk, perm="customers.archive_customer", queryset=with_details(kind)
    )
    services.customer_archive(actor=request.user, customer=customer, archived=archived)
    return _detail(request, pk)


@router.get("/customers", response={200: CustomerPage, **ERRORS})
def customer_list(request: Request, params: Query[ListParams]) -> Any:
    """People and companies the caller may see; `q` searches names, phones, e-mails, member numbers."""
    return _list(request, params)


@router.post("/customers", response={201: CustomerOut, **ERRORS})
def customer_create(request: Request, payload: CustomerIn) -> Any:
    """Create a person (or a company with `kind`); 409 when a phone or e-mail is already known."""
    return _create(request, payload)


@router.get("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def customer_get(request: Request, customer_id: Id) -> Any:
    customer = _detail(request, customer_id)
    seen(request.user, customer.pk, "api")
    return customer


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def customer_update(request: Request, customer_id: Id, payload: CustomerPatch) -> Any:
    return _update(request, customer_id, payload)


@router.post("/customers/{customer_id}/archive", response={200: CustomerOut, **ERRORS})
def customer_archive(request: Request, customer_id: Id) -> Any:
    """Soft delete: hidden from lists, history kept; `/restore` undoes it."""
    return _archive(request, customer_id, archived=True)


@router.post("/customers/{customer_id}/restore", response={200: CustomerOut, **ERRORS})
def customer_restore(request: Request, customer_id: Id) -> Any:
    return _archive(request, customer_id, archived=False)


@router.get("/companies", response={200: CustomerPage, **ERRORS}, tags=["companies"])
def company_list(request: Request, params: Query[ListParams]) -> Any:
    return _list(request, params, kind=Customer.Kind.COMPANY)


@router.post("/companies", response={201: CustomerOut, **ERRORS}, tags=["companies"])
def company_create(request: Request, payload: CustomerIn) -> Any:
    return _create(request, payload, kind=Customer.Kind.COMPANY)


@router.get("/companies/{company_id}", response={200: CustomerOut, **ERRORS}, tags=["companies"])
def company_get(request: Request, company_id: Id) -> Any:
    company = _detail(request, company_id, kind=Customer.Kind.COMPANY)
    seen(request.user, company.pk, "api")
    return company


@router.patch("/companies/{company_id}", response={200: CustomerOut, **ERRORS}, tags=["companies"])
def company_update(request: Request, company_id: Id, payload: CustomerPatch) -> Any:
    return _update(request, company_id, payload, kind=Customer.Kind.COMPANY)


@router.post(
    "/companies/{company_id}/archive", response={200: CustomerOut, **ERRORS}, tags=["companies"]
)
def company_archive(request: Request, company_id: Id) -> Any:
    return _archive(request, company_id, archived=True, kind=Customer.Kind.COMPANY)
