"""Erasure (PDPA s.33): the person becomes an anonymous customer.

``customer_erase`` empties or deletes every personal field the registry names, in one
transaction: names, nickname, contact points (phones, e-mails, LINE ids, addresses), the
photo (its files deleted from storage once the transaction commits, with those a merge
kept for its undo; not a file another customer still shows), birthday, notes,
custom fields, what the timeline, leads, deals, quotations and messages said, the audit
log's values (its events stay: that a change happened, who made it, when), staff
notifications naming them, the search index (the customer's search document: the FTS5
triggers on SQLite and the trigram column on PostgreSQL follow it), and the precomputed
insights that named them. Orders, order lines, points, visits and the roll-ups stay, with
the anonymous customer as their buyer, so every revenue figure is what it was.

Kept because another law requires it: the orders (Revenue Code s.87, s.87/3: the sales
and VAT records, 5 years) and, while an order of the last 5 years may be on a full tax
invoice, the tax ID and branch (s.86/4 names them); consent records (PDPA s.19: proof).

Refused (``ErasureRefusedError``) while something still needs the person: an open deal or an
open quotation (finish or close it first), and for a company (a company is not a person;
its people are erased one by one). Erasing twice is refused too.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.analytics.models import Snapshot
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent, Notification
from samphan.core.phones import phone_index_terms
from samphan.customers.models import ContactPoint, Customer, Interaction, MergeRecord
from samphan.loyalty.models import PointsEntry
from samphan.marketing.models import Recipient, SegmentMember
from samphan.messaging.models import LineAccount, Message, MessageAttachment, Suppression
from samphan.privacy.erasure_ledger import ledger_append, ledger_customer_ids
from samphan.privacy.models import SubjectRequest
from samphan.sales.models import Deal, Lead, Order, Quote, QuoteDocument, Stage
from samphan.support.models import Survey, Ticket, TicketAttachment, TicketMessage

ERASED = "—"  # what an erased text reads, in any language
ERASED_VALUE = "erased"  # an audit value that was erased
REAPPLIED = "erased again after a database restore (erasure ledger)"
TAX_RECORDS_KEPT = dt.timedelta(days=5 * 366)  # Revenue Code s.87/3: five years
# Timeline entries the app writes from its own records (an order's number, a stage):
# their summaries hold no personal data and keep the timeline readable.
APP_WRITTEN_KINDS = (Interaction.Kind.PURCHASE, Interaction.Kind.STAGE)
CUSTOMER_BLANKED = (
    "title",
    "first_name",
    "last_name",
    "first_name_en",
    "last_name_en",
    "nickname",
    "gender",
    "job_title",
    "company_name",
    "company_name_en",
    "website",
    "address",
    "province",
    "notes",
)


class ErasureRefusedError(ValidationError):
    """The customer cannot be erased yet; the messages say why and what to do."""


def erasure_refusals(customer: Customer) -> list[str]:
    """Why ``customer`` cannot be erased now (empty: it can)."""
    reasons = []
    if customer.erased_at is not None:
        reasons.append(_("This customer's personal data was erased already."))
        return reasons
    if customer.is_company:
        reasons.append(_("A company is not a person: erase the people who work there one by one."))
    open_deals = Deal.objects.filter(customer=customer, stage__outcome=Stage.Outcome.OPEN)
    if open_deals.exists():
        reasons.append(_("They have an open deal. Mark it won or lost first, then erase."))
    open_quotes = Quote.objects.filter(
        customer=customer, status__in=(Quote.Status.DRAFT, Quote.Status.SENT)
    )
    if open_quotes.exists():
        reasons.append(
            _("They have a draft or sent quotation. Mark it accepted, rejected or expired first.")
        )
    return reasons


def keeps_tax_id(customer: Customer) -> bool:
    """Whether a full tax invoice of the last 5 years may name the customer's tax ID."""
    since = timezone.now() - TAX_RECORDS_KEPT
    return (
        bool(customer.tax_id)
        and Order.objects.filter(customer=customer, ordered_at__gte=since).exists()
    )


@transaction.atomic
def customer_erase(customer: Customer, *, actor: User | None, reason: str) -> Customer:
    """Anonymise ``customer`` (see the module's docstring); ``ErasureRefusedError`` when it
    cannot be done yet. ``reason`` (the request it answers) goes to the audit log."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    reasons = erasure_refusals(customer)
    if reasons:
        raise ErasureRefusedError(reasons)
    names = _identifiers(customer)
    addresses = _addresses(customer)
    _erase_profile(customer)
    _erase_related(customer, addresses)
    _erase_audit_values(customer)
    _erase_mentions(customer, names)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.ERASE,
        subject=customer,
        customer_id=customer.pk,
        changes={"reason": reason[:500]},
    )
    erased_at = customer.erased_at or timezone.now()
    transaction.on_commit(lambda: ledger_append(customer.pk, erased_at))
    return customer


def erasures_reapply(*, actor: User | None = None) -> tuple[list[int], dict[int, list[str]]]:
    """After a database restore: erase again every customer the ledger names whom the
    restored data holds unerased. Returns those erased and those refused, with why (an
    open deal in the restored data: staff close it and run this again)."""
    erased: list[int] = []
    refused: dict[int, list[str]] = {}
    ids = ledger_customer_ids()
    for customer in Customer.objects.filter(pk__in=ids, erased_at__isnull=True).order_by("pk"):
        try:
            customer_erase(customer, actor=actor, reason=REAPPLIED)
        except ErasureRefusedError as error:
            refused[customer.pk] = list(error.messages)
        else:
            erased.append(customer.pk)
    return erased, refused


def _identifiers(customer: Customer) -> list[str]:
    """The texts that name the person elsewhere (a notification, an admin log line)."""
    found = [
        customer.display_name,
        customer.first_name,
        customer.first_name_en,
        customer.nickname,
        customer.latin_name,
    ]
    return sorted({name for name in found if len(name) >= 2}, key=len, reverse=True)


PHOTO_FIELDS = ("photo", "photo_thumbnail")


def _photo_files(customer: Customer) -> list[tuple[Any, str]]:
    """The person's photo files: their own, and those a merge into them set aside for its
    undo (its record goes with the erasure); less any another customer still shows (a
    survivor that took an erased duplicate's photo) or another merge keeps."""
    storage = customer.photo.storage
    names = {getattr(customer, name).name for name in PHOTO_FIELDS} - {None, ""}
    for before in MergeRecord.objects.filter(survivor=customer).values_list(
        "survivor_before", flat=True
    ):
        names |= {(before or {}).get("fields", {}).get(name) for name in PHOTO_FIELDS}
    names -= {None, ""}
    if not names:
        return []
    others = Customer.objects.exclude(pk=customer.pk)
    records = MergeRecord.objects.exclude(survivor=customer)
    for name in PHOTO_FIELDS:
        names -= set(others.filter(**{f"{name}__in": names}).values_list(name, flat=True))
        lookup = {f"survivor_before__fields__{name}__in": sorted(names)}
        for before in records.filter(**lookup).values_list("survivor_before", flat=True):
            names.discard(before["fields"][name])
    return [(storage, name) for name in sorted(names)]


def _erase_profile(customer: Customer) -> None:
    files = _photo_files(customer)
    for name in CUSTOMER_BLANKED:
        setattr(customer, name, "")
    if not keeps_tax_id(customer):
        customer.tax_id = customer.branch = ""
    customer.birthday = None
    customer.member_number = None
    customer.custom_fields = {}
    customer.photo = ""
    customer.photo_thumbnail = ""
    customer.company = None
    customer.display_name = f"{ERASED} #{customer.pk}"
    customer.search_document = ""  # the FTS5 triggers / trigram index follow the column
    if customer.processing_restricted_reason:
        customer.processing_restricted_reason = ERASED
    customer.erased_at = timezone.now()
    customer.save()
    customer.tags.clear()
    customer.interests.clear()
    ContactPoint.objects.filter(customer=customer).delete()
    # The files go once the erasure is committed: a rollback keeps the photo it names.
    transaction.on_commit(lambda: _delete_files(files))


def _delete_files(files: Iterable[tuple[Any, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


def _erase_related(customer: Customer, addresses: set[str]) -> None:
    mine = Q(customer=customer)
    Interaction.objects.filter(mine).update(body="", channel="")
    Interaction.objects.filter(mine).exclude(kind__in=APP_WRITTEN_KINDS).update(summary=ERASED)
    Deal.objects.filter(mine).update(title=ERASED, notes="", close_reason="")
    now = timezone.now()
    Lead.objects.filter(mine, status__in=(Lead.Status.NEW, Lead.Status.WORKING)).update(
        status=Lead.Status.DISQUALIFIED, closed_at=now
    )
    # updated_at too: the funnel's snapshot is recounted when a lead changes.
    Lead.objects.filter(mine).update(message="", campaign="", close_reason="", updated_at=now)
    Order.objects.filter(mine).update(note="")
    Quote.objects.filter(mine).update(notes="")
    QuoteDocument.objects.filter(quote__customer=customer).delete()
    messages = Message.objects.filter(mine)
    MessageAttachment.objects.filter(message__in=messages).delete()
    messages.filter(status=Message.Status.QUEUED).update(status=Message.Status.BLOCKED)
    messages.update(to="", subject="", text="", html="", headers={}, error="", provider_ref="")
    Suppression.objects.filter(Q(customer=customer) | Q(address__in=addresses)).delete()
    LineAccount.objects.filter(mine).delete()
    PointsEntry.objects.filter(mine).update(note="")
    Ticket.objects.filter(mine).update(subject=ERASED, requester="", address="")
    TicketMessage.objects.filter(ticket__customer=customer).update(body=ERASED, external_id="")
    Survey.objects.filter(mine).update(comment="")
    files = TicketAttachment.objects.filter(message__ticket__customer=customer)
    stored = [
        (TicketAttachment.file.field.storage, name)
        for name in files.exclude(file="").values_list("file", flat=True)
    ]
    files.delete()
    transaction.on_commit(lambda: _delete_files(stored))
    SegmentMember.objects.filter(mine).delete()
    Recipient.objects.filter(mine).update(skipped="", links=None)
    MergeRecord.objects.filter(survivor=customer).delete()
    SubjectRequest.objects.filter(mine).update(
        requester_name=ERASED, requester_contact="", identity_note="", refusal_reason="", notes=""
    )


def _addresses(customer: Customer) -> set[str]:
    """Every stored form of the person's addresses: as kept, phone digits (0812345678,
    66812345678) and LINE user ids, for the suppression list."""
    values: set[str] = set(
        LineAccount.objects.filter(customer=customer).values_list("user_id", flat=True)
    )
    for kind, value in ContactPoint.objects.filter(customer=customer).values_list("kind", "value"):
        values.add(value)
        if kind in ContactPoint.PHONE_KINDS and value.startswith("+"):
            values.update(phone_index_terms(value).split())
    return values


def _erase_audit_values(customer: Customer) -> None:
    """The audit log keeps each event (what, who, when) and loses the values."""
    events = AuditEvent.objects.filter(
        Q(customer_id=customer.pk)
        | Q(subject_type=Customer._meta.label_lower, subject_id=customer.pk)
    )
    changed = []
    for event in events.only("pk", "changes"):
        if isinstance(event.changes, dict) and event.changes:
            event.changes = dict.fromkeys(event.changes, ERASED_VALUE)
            changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["changes"], batch_size=500)


def _erase_mentions(customer: Customer, names: list[str]) -> None:
    """Texts elsewhere that name the person: staff notifications, the admin's log, and
    the precomputed insights (top customers list names; they are recomputed)."""
    if names:
        mentions = Q()
        for name in names:
            mentions |= Q(text__contains=name)
        for notification in Notification.objects.filter(mentions):
            for name in names:
                notification.text = notification.text.replace(name, ERASED)
            notification.save(update_fields=["text"])
    # The content type by a join, not ContentType's cache: the same statements every time.
    LogEntry.objects.filter(
        content_type__app_label=Customer._meta.app_label,
        content_type__model=Customer._meta.model_name,
        object_id=str(customer.pk),
    ).update(object_repr=f"{ERASED} #{customer.pk}", change_message="")
    Snapshot.objects.all().delete()
