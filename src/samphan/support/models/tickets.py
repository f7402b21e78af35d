"""Tickets and their threads: messages in and out, internal notes, the files mail brings,
and the public help form's submissions."""

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel
from samphan.core.permissions import OwnedQuerySet
from samphan.customers.models import Customer
from samphan.support.models.settings import Category, Priority


class TicketQuerySet(OwnedQuerySet["Ticket"]):
    """A ticket is its assignee's (``owner``) and its team's."""


class Ticket(TimeStampedModel):
    class Status(models.TextChoices):
        NEW = "new", _("new")
        OPEN = "open", _("open")
        PENDING = "pending", _("waiting on customer")
        SOLVED = "solved", _("solved")
        CLOSED = "closed", _("closed")

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone call")
        EMAIL = "email", _("e-mail")
        LINE = "line", _("LINE")
        SMS = "sms", _("SMS")
        WEB = "web", _("web form")
        WALK_IN = "walk_in", _("in person")

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)
    NO_PROMISE = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)

    # When the customer asked (a mail's or a call's time), which the SLA clock starts from.
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,  # led by the (customer, created_at) index
    )
    requester = models.CharField(
        _("from"),
        max_length=200,
        blank=True,
        help_text=_("Who it is from, while they are not linked to a customer."),
    )
    # Where replies go on the ticket's channel: the e-mail address, mobile number or LINE
    # user the customer wrote from (empty: the customer's own, by their preferred channel).
    address = models.CharField(_("reply to"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        db_index=False,  # led by the (owner, status) index
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,  # led by the (team, status) index
    )
    tags = models.ManyToManyField(
        "support.TicketTag", verbose_name=_("tags"), blank=True, related_name="tickets"
    )
    # The SLA clock: when each promise falls due (None: none running), and when it was met.
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    next_response_due = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # While waiting on the customer the clock stops: the working minutes each promise had
    # left when it stopped ({"first_response": 30, "resolution": 400}).
    paused_minutes = models.JSONField(default=dict, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    # The ticket's place in the inbox's queue, kept by save(): while it is open, its soonest
    # promise not yet met (``NO_PROMISE`` when none runs: last); None once solved or closed.
    # The open views select, sort and count on it and its index alone: a status filter
    # would have SQLite, which plans without statistics, read and sort every open ticket.
    queue_due = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["customer", "created_at"], name="support_ticket_customer"),
            models.Index(fields=["status", "created_at"], name="support_ticket_status"),
            models.Index(fields=["owner", "status"], name="support_ticket_owner"),
            models.Index(fields=["team", "status"], name="support_ticket_team"),
            # A sender's tickets: a LINE or SMS message finds its ticket, mail counts floods.
            models.Index(fields=["address", "created_at"], name="support_ticket_address"),
            # The open views and their counts, read from the index alone.
            models.Index(fields=["queue_due", "owner", "status"], name="support_ticket_queue"),
            # The Solved view, the latest first.
            models.Index(fields=["solved_at"], name="support_ticket_solved"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.queue_due = self.queue_place()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "queue_due"}
        super().save(*args, **kwargs)

    def queue_place(self) -> dt.datetime | None:
        """What ``queue_due`` stores (bulk inserts, which skip save(), set it so)."""
        if self.status not in self.OPEN_STATUSES:
            return None
        return self.soonest_due or self.NO_PROMISE

    @property
    def soonest_due(self) -> dt.datetime | None:
        return min(self.promises_running().values(), default=None)

    def promises_running(self) -> dict[str, dt.datetime]:
        """The promises not yet met, by their due time."""
        found = {}
        if self.first_responded_at is None and self.first_response_due is not None:
            found["first_response"] = self.first_response_due
        if self.next_response_due is not None:
            found["next_response"] = self.next_response_due
        if self.resolution_due is not None and self.solved_at is None:
            found["resolution"] = self.resolution_due
        return found


class TicketMessage(models.Model):
    """One message of a ticket's thread: from the customer, to them, or a note for staff."""

    class Kind(models.TextChoices):
        IN = "in", _("from the customer")
        OUT = "out", _("reply")
        NOTE = "note", _("internal note")

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,  # led by the (ticket, created_at) index
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    body = models.TextField(_("message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Ticket.Channel.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    # A reply as the outbox sends it (None: recorded only, ``unsent_reason`` says why).
    outbox = models.OneToOneField(
        "messaging.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ticket_message",
    )
    unsent_reason = models.CharField(_("not sent"), max_length=300, blank=True)
    # The id its channel gave it (a mail's Message-ID, "line:" and LINE's message id): a
    # message delivered twice (pipe and IMAP, a webhook retried) is kept once, and a mail
    # answering it finds its ticket.
    external_id = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        indexes = [models.Index(fields=["ticket", "created_at"], name="support_message_thread")]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="support_external_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.body[:60]}"

    @classmethod
    def with_external_id(cls, *ids: str) -> "models.QuerySet[TicketMessage]":
        """The messages with these ids. The condition repeats the unique index's, so that
        SQLite uses that partial index (without it, a scan of every message)."""
        return cls.objects.filter(external_id__in=ids).exclude(external_id="")


class FormSubmission(models.Model):
    """One use of the public help form, kept to limit how often one address may use it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    sender_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("help form submission")
        verbose_name_plural = _("help form submissions")
        indexes = [models.Index(fields=["sender_hash", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.created_at}"


def attachment_path(attachment: "TicketAttachment", filename: str) -> str:
    # A folder of its own per file: names clash freely, and nobody can guess the path.
    return f"support/{uuid.uuid4().hex}/{filename}"


class TicketAttachment(models.Model):
    """A file a customer's mail carried. One too big or of a refused type is listed with
    why, not kept (``file`` empty)."""

    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    file = models.FileField(upload_to=attachment_path, max_length=300, blank=True)
    refused = models.CharField(_("not kept"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class SlaEvent(models.Model):
    """A promise about to fall due (``warning``, told to the assignee) or missed
    (``breach``, told to the assignee and escalated to the managers), once per due time:
    the record reports count breaches from."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("due soon")
        BREACH = "breach", _("missed")

    class Promise(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("first response")
        NEXT_RESPONSE = "next_response", _("next response")
        RESOLUTION = "resolution", _("resolution")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_events")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    promise = models.CharField(_("promise"), max_length=20, choices=Promise.choices)
    due_at = models.DateTimeField(_("due"))
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "promise", "due_at"], name="support_sla_event_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "at"], name="support_sla_event_kind")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.promise}"


class TicketViewer(models.Model):
    """Who has a ticket's page open, as of their page's last look (every 20 s): another
    member of staff on it sees their name, so two do not answer at once."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="support_viewer_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.ticket_id}"
