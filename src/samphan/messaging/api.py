"""/api/v1/messages: write to a customer through the outbox, read what was sent and how it
went; /api/v1/line-accounts: link a LINE account to its customer. Follows the caller's
visibility."""

import datetime as dt
from typing import Annotated, Any

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from samphan.api.schemas import ERRORS, Id, MaxChars, OneOf, page_of
from samphan.core.http import Request
from samphan.core.permissions import require_perm
from samphan.customers.access import customer_for_user
from samphan.customers.models import ConsentRecord, Customer
from samphan.messaging import services
from samphan.messaging.access import line_link_for_user, message_for_user
from samphan.messaging.channels.sms import sms_length
from samphan.messaging.models import Channel, Message

router = Router(tags=["messages"])


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: Id
    channel: Annotated[str, OneOf(["preferred", *Channel.values])] = "preferred"
    purpose: Annotated[str, OneOf(ConsentRecord.Purpose.values)] = "service"
    subject: Annotated[str, MaxChars(200)] = ""
    text: Annotated[str, MaxChars(5000)] = Field(min_length=1)
    idempotency_key: Annotated[str, MaxChars(100)] = Field(
        min_length=1, description="the same key again returns the message queued first"
    )


class MessageOut(Schema):
    id: int
    customer_id: int
    channel: str
    purpose: str
    to: str
    subject: str
    text: str
    status: str
    attempts: int
    error: str
    sms_parts: int | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None

    @staticmethod
    def resolve_sms_parts(message: Message) -> int | None:
        return sms_length(message.text).segments if message.channel == Channel.SMS else None


class MessagePage(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int
    items: list[MessageOut]


class MessageParams(Schema):
    customer: Id | None = None
    channel: Annotated[str, OneOf(Channel.values, blank=True)] = ""
    status: Annotated[str, OneOf(Message.Status.values, blank=True)] = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


@router.post("/messages", response={201: MessageOut, 200: MessageOut, **ERRORS})
def message_send(request: Request, payload: MessageIn) -> Any:
    """Queue a message to one customer: by `channel`, or by their preferred channel that
    consent allows, else the next allowed one (422 on `channel` says why none may). The
    outbox sends it; consent is checked again at hand-off."""
    customer = customer_for_user(
        request.user,
        payload.customer_id,
        perm="messaging.add_message",
        queryset=Customer.objects.active(),
    )
    message, new = services.message_send(
        actor=request.user,
        customer=customer,
        channel=None if payload.channel == "preferred" else payload.channel,
        purpose=payload.purpose,
        subject=payload.subject,
        text=payload.text,
        idempotency_key=f"api:{request.user.pk}:{payload.idempotency_key}",
    )
    return Status(201 if new else 200, message)


@router.get("/messages", response={200: MessagePage, **ERRORS})
def message_list(request: Request, params: Query[MessageParams]) -> Any:
    """Messages to the customers the caller may see, newest first."""
    require_perm(request.user, "messaging.view_message")
    found = Message.objects.visible_to(request.user)
    if params.customer:
        found = found.filter(customer_id=params.customer)
    if params.channel:
        found = found.filter(channel=params.channel)
    if params.status:
        found = found.filter(status=params.status)
    return page_of(found, params.page, params.page_size)


@router.get("/messages/{message_id}", response={200: MessageOut, **ERRORS})
def message_detail(request: Request, message_id: Id) -> Any:
    return message_for_user(request.user, message_id, perm="messaging.view_message")


class LineLinkIn(Schema):
    model_config = ConfigDict(extra="forbid")
    customer_id: Id | None = Field(description="null unlinks")


class LineAccountOut(Schema):
    user_id: str
    customer_id: int | None
    following: bool
    followed_at: dt.datetime


@router.put("/line-accounts/{user_id}", response={200: LineAccountOut, **ERRORS})
def line_account_link(
    request: Request, user_id: Annotated[str, MaxChars(64)], payload: LineLinkIn
) -> Any:
    """Say which customer a LINE account (from the webhook's follow event) is."""
    account, customer = line_link_for_user(request.user, user_id, payload.customer_id)
    return services.line_link(actor=request.user, account=account, customer=customer)
