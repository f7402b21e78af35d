"""/api/v1/tickets: the inbox's views, a ticket and its thread, replies and notes, status and
assignment, and an inbound endpoint other help desks push messages to; /api/v1/surveys:
satisfaction surveys and their answers. Follows the caller's visibility."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from samphan.accounts.models import Team, User
from samphan.api.schemas import ERRORS, Id, MaxChars, OneOf, Search, page_of
from samphan.core.http import Request
from samphan.core.permissions import record_for_user, require_perm
from samphan.customers.access import customer_for_user
from samphan.customers.models import Customer
from samphan.support import inbound, queries, services, surveys
from samphan.support.access import ticket_for_user
from samphan.support.models import (
    Category,
    Priority,
    Survey,
    Ticket,
    TicketMessage,
    TicketTag,
)

router = Router(tags=["support"])
VIEWS = ["mine", "unassigned", "overdue", "pending", "open", "solved"]


class TicketOut(Schema):
    id: int
    number: str
    customer_id: int | None
    requester: str
    address: str
    subject: str
    channel: str
    status: str
    priority: str
    category_id: int | None
    owner_id: int | None
    team_id: int | None
    created_at: dt.datetime
    first_response_due: dt.datetime | None
    first_responded_at: dt.datetime | None
    next_response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    soonest_due: dt.datetime | None
    solved_at: dt.datetime | None
    closed_at: dt.datetime | None
    last_message_at: dt.datetime | None
    tags: list[str]

    @staticmethod
    def resolve_tags(ticket: Ticket) -> list[str]:
        return [tag.name for tag in ticket.tags.all()]


class TicketPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[TicketOut]


class TicketParams(Schema):
    view: Annotated[str, OneOf(VIEWS)] = "open"
    q: Search = ""
    customer: Id | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class TicketIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: Id | None = None
    requester: Annotated[str, MaxChars(200)] = ""
    address: Annotated[str, MaxChars(320)] = Field(
        "", description="the e-mail, mobile or LINE user replies go to"
    )
    subject: Annotated[str, MaxChars(200)] = Field(min_length=1)
    body: Annotated[str, MaxChars(20_000)] = Field(min_length=1)
    channel: Annotated[str, OneOf(Ticket.Channel.values)] = "phone"
    priority: Annotated[str, OneOf(Priority.values)] = "normal"
    category_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None


class TicketPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    subject: Annotated[str, MaxChars(200)] | None = Field(None, min_length=1)
    status: Annotated[str, OneOf(Ticket.Status.values)] | None = None
    priority: Annotated[str, OneOf(Priority.values)] | None = None
    category_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    tags: list[Annotated[str, MaxChars(50)]] | None = Field(
        None, max_length=20, description="the ticket's tags by name (all of them; [] clears)"
    )


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    kept: bool = Field(description="false: listed, not kept (refused says why)")
    refused: str

    @staticmethod
    def resolve_kept(attachment: Any) -> bool:
        return bool(attachment.file)


class ThreadMessageOut(Schema):
    id: int
    kind: str
    body: str
    author_id: int | None
    channel: str
    created_at: dt.datetime
    delivery: str = Field("", description="a reply's outbox status, or not_sent")
    unsent_reason: str
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_delivery(message: TicketMessage) -> str:
        if message.kind != TicketMessage.Kind.OUT:
            return ""
        return message.outbox.status if message.outbox else "not_sent"

    @staticmethod
    def resolve_attachments(message: TicketMessage) -> list[Any]:
        return list(message.attachments.all())


class ThreadMessageIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: Annotated[str, OneOf(["reply", "note"])] = "reply"
    body: Annotated[str, MaxChars(20_000)] = Field(min_length=1)
    status: Annotated[str, OneOf(["pending", "open", "solved"], blank=True)] = Field(
        "", description="a reply's status after (default: pending)"
    )


class InboundIn(Schema):
    model_config = ConfigDict(extra="forbid")
    external_id: Annotated[str, MaxChars(290)] = Field(
        min_length=1, description="your id of this message; the same id again changes nothing"
    )
    in_reply_to: Annotated[str, MaxChars(290)] = Field(
        "", description="the external_id of the message this one answers"
    )
    channel: Annotated[str, OneOf(Ticket.Channel.values)] = "web"
    address: Annotated[str, MaxChars(320)] = ""
    name: Annotated[str, MaxChars(200)] = ""
    subject: Annotated[str, MaxChars(200)] = ""
    body: Annotated[str, MaxChars(20_000)] = Field(min_length=1)


def _pick[M: (Category, User, Team)](model: type[M], pk: int | None, field: str) -> M | None:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: f"No {model._meta.model_name} has id {pk}."})
    return found


def _tags(names: list[str] | None) -> list[TicketTag]:
    if names is None:
        raise ValidationError({"tags": "Send a list of tag names ([] clears them)."})
    found = {tag.name: tag for tag in TicketTag.objects.filter(name__in=names)}
    unknown = sorted(set(names) - set(found))
    if unknown:
        raise ValidationError({"tags": f"No such tag: {', '.join(unknown)}."})
    return list(found.values())


@router.get("/tickets", response={200: TicketPage, **ERRORS})
def ticket_list(request: Request, params: Query[TicketParams]) -> Any:
    """A view of the inbox (as on the page: the soonest due first), optionally one
    customer's, searched by number, subject or sender."""
    require_perm(request.user, "support.view_ticket")
    found = queries.inbox(request.user, params.view, params.q, timezone.now())
    if params.customer:
        found = found.filter(customer_id=params.customer)
    return page_of(found, params.page, params.page_size)


@router.post("/tickets", response={201: TicketOut, **ERRORS})
def ticket_create(request: Request, payload: TicketIn) -> Any:
    """Open a ticket for what a customer asked (a call, a visit); ``customer_id``, or
    ``requester``/``address`` for someone not yet a customer."""
    require_perm(request.user, "support.add_ticket")
    customer = None
    if payload.customer_id is not None:
        customer = customer_for_user(
            request.user, payload.customer_id, queryset=Customer.objects.active()
        )
    ticket = services.ticket_open(
        actor=request.user,
        subject=payload.subject,
        body=payload.body,
        channel=payload.channel,
        customer=customer,
        requester=payload.requester,
        address=payload.address,
        priority=payload.priority,
        category=_pick(Category, payload.category_id, "category_id"),
        team=_pick(Team, payload.team_id, "team_id"),
        owner=_pick(User, payload.owner_id, "owner_id"),
    )
    return Status(201, ticket)


# Before /tickets/{ticket_id}: the first route whose path matches answers.
@router.post("/tickets/inbound", response={201: TicketOut, 200: TicketOut, **ERRORS})
def ticket_inbound(request: Request, payload: InboundIn) -> Any:
    """A message another help desk or a website pushes: it continues the ticket of the
    message it answers (``in_reply_to``), else opens one. 201 when recorded, 200 when
    this ``external_id`` was recorded before (nothing changes)."""
    require_perm(request.user, "support.add_ticket")
    ticket, new = inbound.message_push(
        channel=payload.channel,
        address=payload.address.strip(),
        name=payload.name.strip(),
        subject=payload.subject.strip(),
        body=payload.body,
        external_id=f"api:{payload.external_id}",
        in_reply_to=f"api:{payload.in_reply_to}" if payload.in_reply_to else "",
    )
    ticket.refresh_from_db()
    return Status(201 if new else 200, ticket)


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS})
def ticket_detail(request: Request, ticket_id: Id) -> Any:
    return ticket_for_user(request.user, ticket_id)


@router.patch("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS})
def ticket_change(request: Request, ticket_id: Id, payload: TicketPatch) -> Any:
    """Change status, priority, category, assignee (``owner_id``) or team; a field sent as
    null clears it, one left out stays."""
    ticket = ticket_for_user(request.user, ticket_id, perm="support.change_ticket")
    sent = payload.model_dump(exclude_unset=True)
    pickers = {"category_id": Category, "owner_id": User, "team_id": Team}
    fields: dict[str, Any] = {}
    for name, value in sent.items():
        if name == "tags":
            fields["tags"] = _tags(value)
        elif name in pickers:
            fields[name.removesuffix("_id")] = _pick(pickers[name], value, name)
        elif value is None:
            raise ValidationError({name: "This field cannot be null."})
        else:
            fields[name] = value
    return services.ticket_update(actor=request.user, ticket=ticket, fields=fields)


@router.get("/tickets/{ticket_id}/messages", response={200: list[ThreadMessageOut], **ERRORS})
def ticket_messages(request: Request, ticket_id: Id) -> Any:
    """The thread, oldest first: the customer's messages, replies with their delivery,
    internal notes, and the files mail brought."""
    ticket = ticket_for_user(request.user, ticket_id)
    return list(
        ticket.messages.select_related("outbox")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


@router.post("/tickets/{ticket_id}/messages", response={201: ThreadMessageOut, **ERRORS})
def ticket_message_add(request: Request, ticket_id: Id, payload: ThreadMessageIn) -> Any:
    """A reply (sent through the outbox on the customer's channel) or an internal note."""
    ticket = ticket_for_user(request.user, ticket_id, perm="support.change_ticket")
    if payload.kind == "note":
        message = services.ticket_note(actor=request.user, ticket=ticket, body=payload.body)
    else:
        message = services.ticket_reply(
            actor=request.user, ticket=ticket, body=payload.body, status=payload.status
        )
    return Status(201, message)


class SurveyOut(Schema):
    id: int
    kind: str
    customer_id: int
    ticket_id: int | None
    order_id: int | None
    language: str
    sent_at: dt.datetime
    skipped: str
    score: int | None
    comment: str
    answered_at: dt.datetime | None


class SurveyPage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[SurveyOut]


class SurveyParams(Schema):
    customer: Id | None = None
    kind: Annotated[str, OneOf(Survey.Kind.values, blank=True)] = ""
    answered: bool | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class SurveyIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: Id
    ticket_id: Id | None = None


@router.get("/surveys", response={200: SurveyPage, **ERRORS})
def survey_list(request: Request, params: Query[SurveyParams]) -> Any:
    """Surveys of the customers the caller may see, the newest first, with their answers."""
    require_perm(request.user, "support.view_survey")
    found = Survey.objects.visible_to(request.user)
    if params.customer:
        found = found.filter(customer_id=params.customer)
    if params.kind:
        found = found.filter(kind=params.kind)
    if params.answered is not None:
        found = found.filter(answered_at__isnull=not params.answered)
    return page_of(found.order_by("-sent_at", "-id"), params.page, params.page_size)


@router.get("/surveys/{survey_id}", response={200: SurveyOut, **ERRORS})
def survey_detail(request: Request, survey_id: Id) -> Any:
    return record_for_user(
        Survey.objects.all(), request.user, survey_id, perm="support.view_survey"
    )


@router.post("/surveys", response={201: SurveyOut, **ERRORS})
def survey_create(request: Request, payload: SurveyIn) -> Any:
    """Ask one customer now how satisfied they are (about one of their tickets, when
    ``ticket_id`` is given), under the survey settings' channel and quiet days."""
    require_perm(request.user, "support.add_survey")
    customer = customer_for_user(
        request.user, payload.customer_id, queryset=Customer.objects.active()
    )
    ticket = None
    if payload.ticket_id is not None:
        ticket = ticket_for_user(request.user, payload.ticket_id)
        if ticket.customer_id != customer.pk:
            raise ValidationError({"ticket_id": "This ticket is not the customer's."})
        if Survey.objects.filter(ticket=ticket).exists():
            raise ValidationError({"ticket_id": "This ticket has had its survey."})
    survey = surveys.survey_send(
        customer, ticket=ticket, options=surveys.survey_settings(), now=timezone.now()
    )
    return Status(201, survey)
