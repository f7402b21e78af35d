"""Messages to customers: the outbox every send goes through, the suppression list
consulted at hand-off, and the LINE accounts that follow the business."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samphan.core.permissions import OwnedQuerySet
from samphan.customers.models import ConsentRecord, Customer


class Channel(models.TextChoices):
    """The channels a message is sent through; their values are consent channels too."""

    EMAIL = ConsentRecord.Channel.EMAIL.value, _("e-mail")
    SMS = ConsentRecord.Channel.SMS.value, _("SMS")
    LINE = ConsentRecord.Channel.LINE.value, _("LINE")


# The namespace of message keys: a caller's idempotency key (text) becomes a UUID, which
# every hand-off carries (LINE wants a UUID as its retry key).
KEY_NAMESPACE = uuid.UUID("6f1d7c1e-3b1a-4f0e-9a43-5a6d2b8e7c10")


def message_key(idempotency_key: str) -> uuid.UUID:
    return uuid.uuid5(KEY_NAMESPACE, idempotency_key)


class MessageQuerySet(OwnedQuerySet["Message"]):
    scope_prefix = "customer__"  # a message is visible with its customer


class Message(models.Model):
    """One message to one customer: written in the transaction of what caused it, sent by
    the worker (``samphan.messaging.outbox``). Its content is final when written."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        BLOCKED = "blocked", _("not sent")

    key = models.UUIDField(_("idempotency key"), unique=True, editable=False)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=10, choices=ConsentRecord.Purpose.choices)
    to = models.CharField(_("to"), max_length=320)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("message"))
    html = models.TextField(blank=True)
    # Extra e-mail headers, plain ASCII: the threading of a ticket's reply (In-Reply-To,
    # References) and where the customer's answer should go (Reply-To).
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    leased_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # When the channel confirmed delivery: at hand-off for e-mail (the SMTP server took it)
    # and LINE (the platform took it; it reports nothing later), from the gateway's
    # delivery receipt for SMS.
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    error = models.CharField(_("why"), max_length=300, blank=True)
    provider_ref = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            # What the worker looks for: queued messages by when they are due.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="queued"),
                name="messaging_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.to}: {self.status}"


class Suppression(models.Model):
    """An address not to send to: the customer unsubscribed or said STOP, the address
    bounced or is not a number, the LINE account unfollowed. ``purpose`` empty: any."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed by link")
        STOP = "stop", _("replied STOP")
        BOUNCED = "bounced", _("bounced")
        INVALID = "invalid", _("not a valid address")
        UNFOLLOWED = "unfollowed", _("unfollowed on LINE")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=320)
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=ConsentRecord.Purpose.choices, blank=True
    )
    reason = models.CharField(_("why"), max_length=12, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(_("since"), default=timezone.now)
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address", "purpose"], name="one_suppression_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address} ({self.reason})"


class LineAccount(models.Model):
    """A LINE user who follows the business's Official Account (from the webhook), linked
    to the customer it is, once staff or the customer have said so."""

    user_id = models.CharField(_("LINE user id"), max_length=64, unique=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="line_accounts",
    )
    following = models.BooleanField(_("following"), default=True)
    followed_at = models.DateTimeField(_("followed"), default=timezone.now)
    unfollowed_at = models.DateTimeField(_("unfollowed"), null=True, blank=True)

    class Meta:
        ordering = ["-followed_at"]
        verbose_name = _("LINE account")
        verbose_name_plural = _("LINE accounts")

    def __str__(self) -> str:
        return self.user_id


class MessageAttachment(models.Model):
    """A file an e-mail carries (a quotation's PDF), written with its message and final
    like it: the worker sends these bytes, whatever happens to the file's source later."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class SendPace(models.Model):
    """A channel's rate limit, shared by every worker process: when the channel's next
    hand-off may start, in seconds since 1970 on the database's clock. Each hand-off takes
    the next slot in one statement (``samphan.messaging.outbox.RateLimits``), so N workers
    together keep to the configured rate, not N times it."""

    channel = models.CharField(max_length=10, primary_key=True)
    next_at = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.channel} {self.next_at}"
