"""The outbox: every message is a row first, written in the transaction of what caused
it, and the worker hands it over later. What this guarantees:

- nothing is lost: a message leaves the queue only when its outcome is recorded;
- at most one duplicate per crash: the worker takes a batch under a lease (other senders
  leave it alone until the lease runs out) and records each message's outcome, committed,
  as soon as the provider answers, before the next one. A crash between a hand-off and its
  record is the only way a message goes twice, and then with the same key (e-mail
  Message-ID, SMS ``Idempotency-Key``, LINE ``X-Line-Retry-Key``), so a receiver that
  deduplicates sees it once;
- consent is checked at hand-off, so a withdrawal stops messages already queued;
- temporary failures are tried again with exponential backoff, permanent ones put the
  address on the suppression list; each channel keeps to its rate limit.
"""

import datetime as dt
import logging
import os
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from samphan.accounts.models import User
from samphan.core import sql
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from samphan.messaging.channels import Outcome, Sender, sender_for
from samphan.messaging.consent import address_key, refusals
from samphan.messaging.models import Channel, Message, SendPace, Suppression, message_key

logger = logging.getLogger(__name__)

BATCH = 200
# Consent and the suppression list are read for this many messages at once, just before
# they are handed over (two queries, not two a message): a withdrawal recorded meanwhile
# stops every message not yet checked, at most this many after it (a fraction of a second).
CHECK_AHEAD = 25
SEND_EVERY = 0.5  # seconds between two looks at the queue when it was empty
BACKOFF_FIRST = 30  # seconds before the second try; doubled each time, up to an hour
BACKOFF_MOST = 3600
PERMANENT_REASONS = {
    Channel.EMAIL: Suppression.Reason.BOUNCED,
    Channel.SMS: Suppression.Reason.INVALID,
    Channel.LINE: Suppression.Reason.INVALID,
}


def message_queue(
    *,
    customer: Customer,
    channel: str,
    purpose: str,
    to: str,
    text: str,
    subject: str = "",
    html: str = "",
    headers: dict[str, str] | None = None,
    idempotency_key: str,
    actor: User | None = None,
) -> Message:
    """Queue one message (in the caller's transaction). The same ``idempotency_key`` gives
    back the message queued the first time, so a retried action never sends twice."""
    message, _created = message_queue_or_get(
        customer=customer, channel=channel, purpose=purpose, to=to, text=text,
        subject=subject, html=html, headers=headers, idempotency_key=idempotency_key,
        actor=actor,
    )  # fmt: skip
    return message


def message_queue_or_get(
    *,
    customer: Customer,
    channel: str,
    purpose: str,
    to: str,
    text: str,
    subject: str = "",
    html: str = "",
    headers: dict[str, str] | None = None,
    idempotency_key: str,
    actor: User | None = None,
) -> tuple[Message, bool]:
    """``message_queue``, and whether the message is new (False: the key was queued
    before, and that message is returned)."""
    key = message_key(idempotency_key)
    existing = Message.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    message = Message(
        key=key,
        customer=customer,
        channel=channel,
        purpose=purpose,
        to=address_key(channel, to),
        subject=subject.strip(),
        text=text.strip(),
        html=html,
        headers=headers or {},
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    message.full_clean(exclude=["customer", "created_by"])
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # the same key queued meanwhile by another request
        return Message.objects.get(key=key), False
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=message,
        customer_id=customer.pk,
        changes={"channel": [None, channel], "to": [None, message.to]},
    )
    return message, True


class Draft(NamedTuple):
    """One message of many (a campaign's), ready to queue."""

    customer_id: int
    channel: str
    purpose: str
    to: str
    text: str
    idempotency_key: str
    subject: str = ""
    html: str = ""


def messages_queue_many(drafts: Sequence[Draft], *, actor: User | None = None) -> int:
    """Queue many messages in a few statements (a campaign's audience); a key queued
    before is skipped. How many were new."""
    created_by = actor if getattr(actor, "pk", None) else None
    now = timezone.now()
    rows = [
        Message(
            key=message_key(draft.idempotency_key),
            customer_id=draft.customer_id,
            channel=draft.channel,
            purpose=draft.purpose,
            to=address_key(draft.channel, draft.to),
            subject=draft.subject,
            text=draft.text,
            html=draft.html,
            created_by=created_by,
            created_at=now,
            next_attempt_at=now,
        )
        for draft in drafts
    ]
    keys = [row.key for row in rows]
    known = sum(
        Message.objects.filter(key__in=keys[start : start + 1_000]).count()
        for start in range(0, len(keys), 1_000)
    )
    Message.objects.bulk_create(rows, batch_size=1_000, ignore_conflicts=True)
    return len(rows) - known


# -- The worker -------------------------------------------------------------------------------


class RateLimits:
    """At most N hand-offs a second per channel, counted across every worker process (0:
    no limit). Each hand-off takes the channel's next slot from its ``SendPace`` row in one
    statement (``pace_take``: the slot starts at the later of the row's time and now, and
    the row moves one interval on), then sleeps until its slot. The row is locked for that
    statement only; the database's clock is the one clock all processes share. A slot
    taken and not used (a worker stopped while waiting) only slows the next one down."""

    def __init__(self, per_second: dict[str, float]) -> None:
        self.interval = {channel: 1 / rate for channel, rate in per_second.items() if rate > 0}

    @classmethod
    def from_settings(cls) -> "RateLimits":
        rates = {}
        for item in settings.SAMPHAN_RATE_LIMITS:
            channel, _, rate = item.partition("=")
            rates[channel.strip()] = float(rate or 0)
        return cls(rates)

    def wait(self, channel: str) -> None:
        interval = self.interval.get(channel)
        if interval is None:
            return
        with connection.cursor() as cursor:
            cursor.execute(pace_take(), [channel, interval, interval, interval])
            seconds = cursor.fetchone()[0]
        if seconds > 0:
            time.sleep(seconds)


PACES = SendPace._meta.db_table


def pace_take() -> str:
    """The statement that takes a channel's next slot and answers how many seconds from
    now it starts (0 or less: at once). Times are on the database's clock, the one clock
    every process shares."""
    now = sql.pick(
        postgresql="EXTRACT(EPOCH FROM clock_timestamp())::float8",
        sqlite="((julianday('now') - 2440587.5) * 86400.0)",
    )
    return (
        f"INSERT INTO {PACES} (channel, next_at) VALUES (%s, {now} + %s) "  # noqa: S608 - constants and core.sql fragments
        f"ON CONFLICT (channel) DO UPDATE SET next_at = {sql.greatest()}({PACES}.next_at, {now}) + %s "
        f"RETURNING next_at - %s - {now}"
    )


class Outbox:
    """A sender of due messages: ``run()`` until the queue has nothing due."""

    def __init__(self, limits: RateLimits | None = None) -> None:
        self.limits = limits or RateLimits.from_settings()
        self.senders: dict[str, Sender] = {}

    def run(self) -> int:
        handed = 0
        with self.open():
            while True:
                ids, lease_ends = self.claim()
                if not ids:
                    return handed
                handed += self.send(ids, lease_ends)

    @contextmanager
    def open(self) -> Iterator[None]:
        try:
            yield
        finally:
            for sender in self.senders.values():
                sender.close()
            self.senders.clear()

    def claim(self, limit: int = BATCH) -> tuple[list[int], float]:
        """Lease a batch of due messages; the monotonic time by which to stop sending them."""
        lease = settings.SAMPHAN_OUTBOX_LEASE_SECONDS
        now = timezone.now()
        with transaction.atomic():
            due = (
                Message.objects.filter(status=Message.Status.QUEUED, next_attempt_at__lte=now)
                .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
                .order_by("next_attempt_at", "id")
                .values_list("id", flat=True)
            )
            if sql.is_postgresql():  # several workers: each takes its own
                due = due.select_for_update(skip_locked=True)
            ids = list(due[:limit])
            if ids:
                until = now + dt.timedelta(seconds=lease)
                Message.objects.filter(pk__in=ids).update(leased_until=until)
        # Stop well before the lease ends: another sender may take the rest then.
        return ids, time.monotonic() + lease * 0.75

    def send(self, ids: list[int], lease_ends: float) -> int:
        handed = 0
        messages = (
            Message.objects.filter(pk__in=ids, status=Message.Status.QUEUED)
            .order_by("next_attempt_at", "id")
            .prefetch_related("attachments")  # one query a batch, most have none
        )
        batch = list(messages)  # read whole: the loop writes to the same table
        for start in range(0, len(batch), CHECK_AHEAD):
            ahead = batch[start : start + CHECK_AHEAD]
            reasons = refusals(ahead)
            for message in ahead:
                if time.monotonic() >= lease_ends:
                    return handed
                if reasons[message.pk]:
                    _record(message, status=Message.Status.BLOCKED, error=reasons[message.pk] or "")
                    continue
                self.limits.wait(message.channel)
                if time.monotonic() >= lease_ends:  # waited for a slot past the lease
                    return handed
                outcome = self.sender(message.channel).send(message)
                outcome_record(message, outcome)
                handed += 1
        return handed

    def sender(self, channel: str) -> Sender:
        if channel not in self.senders:
            self.senders[channel] = sender_for(channel)
        return self.senders[channel]


def outbox_run() -> int:
    """The worker's loop: send what is due, return how many were handed over (logged with
    the process id, so several workers' shares can be told apart)."""
    handed = Outbox().run()
    if handed:
        logger.info("outbox: %s handed over by process %s", handed, os.getpid())
    return handed


def outcome_record(message: Message, outcome: Outcome) -> None:
    """What the provider answered, committed at once (see the module's note)."""
    if outcome.kind == "sent":
        _record(
            message,
            status=Message.Status.SENT,
            provider_ref=outcome.provider_ref,
            delivered=outcome.delivered,
        )
        return
    if outcome.kind == "permanent":
        with transaction.atomic():
            _record(message, status=Message.Status.FAILED, error=outcome.detail)
            suppress(
                channel=message.channel,
                address=message.to,
                reason=PERMANENT_REASONS[Channel(message.channel)],
                detail=outcome.detail,
                customer_id=message.customer_id,
            )
        return
    attempts = message.attempts + 1
    if attempts >= settings.SAMPHAN_OUTBOX_MAX_ATTEMPTS:
        _record(
            message,
            status=Message.Status.FAILED,
            error=f"{attempts} × {outcome.detail}"[:300],
        )
        return
    delay = min(BACKOFF_FIRST * 2 ** (attempts - 1), BACKOFF_MOST)
    delay *= random.uniform(0.8, 1.2)  # noqa: S311 - spreads retries, not a secret
    Message.objects.filter(pk=message.pk, status=Message.Status.QUEUED).update(
        attempts=attempts,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
        leased_until=None,
        error=outcome.detail,
    )
    logger.info("message %s: try %s failed (%s)", message.pk, attempts, outcome.detail)


def _record(
    message: Message,
    *,
    status: str,
    error: str = "",
    provider_ref: str = "",
    delivered: bool = False,
) -> None:
    # One statement a hand-off, in SQL: the ORM's update cost several times the statement
    # itself, a large share of a campaign e-mail's hand-off (docs/performance.md, "A
    # campaign of 100,000 e-mails").
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            RECORD,
            [
                status,
                0 if status == Message.Status.BLOCKED else 1,
                now if status == Message.Status.SENT else None,
                now if delivered else None,
                error,
                provider_ref,
                message.pk,
                Message.Status.QUEUED,
            ],
        )


MESSAGES = Message._meta.db_table
# A message's outcome, once: only while it is still queued (a second worker's late answer
# changes nothing); a blocked message was never tried, so its attempts stay.
RECORD = (
    f"UPDATE {MESSAGES} SET status = %s, attempts = attempts + %s, "  # noqa: S608 - MESSAGES is our table's name
    "sent_at = %s, delivered_at = %s, leased_until = NULL, error = %s, provider_ref = %s "
    "WHERE id = %s AND status = %s"
)


def suppress(
    *,
    channel: str,
    address: str,
    reason: str,
    purpose: str = "",
    detail: str = "",
    customer_id: int | None = None,
) -> None:
    """Put an address on the suppression list (once: a repeat keeps the first entry)."""
    Suppression.objects.get_or_create(
        channel=channel,
        address=address_key(channel, address),
        purpose=purpose,
        defaults={"reason": reason, "detail": detail[:300], "customer_id": customer_id},
    )
