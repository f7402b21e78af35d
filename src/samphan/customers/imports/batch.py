"""One batch of a customer import written set-based: the rows as the mapping step reads
them (``preview_rows``, which also finds the customers they match in three queries), then
each row's outcome decided in file order against what the batch has already decided, and
the new customers written with their tags, contact points, consents and audit rows in a
handful of ``INSERT`` statements.

What ``customer_create`` keeps is kept the same way (``tests/customers/imports/
test_batch.py`` compares the two field by field): the owner and team are the importer's,
the display name and the search document are made from the same fields and the contact
points in their stored order (the search index follows the row: a trigger on SQLite, the
column's index on PostgreSQL), the consents in force are the customer's ``consent_bits``,
and each customer, contact point and consent has its creation audit row.

A row that matches a customer (the same phone or e-mail) follows the policy whether that
customer was there before or was created by an earlier row of the same file. Rows that
change a customer who was there before (fill, update) go through the services, one
savepoint each, as they always have: they are few, and each is audited as any edit."""

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    CharField,
    ForeignKey,
    IntegerField,
    JSONField,
    TextField,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.bulk import insert_rows, insert_rows_returning_ids
from samphan.core.models import AuditEvent
from samphan.core.permissions import sees_all_records
from samphan.core.search import bulk_indexing
from samphan.customers.imports.fields import CONTACT_COLUMNS
from samphan.customers.imports.mapping import ROW, RowPreview
from samphan.customers.imports.rows import new_customers, objects_insert
from samphan.customers.models import (
    ConsentRecord,
    ContactPoint,
    Customer,
    ImportMapping,
    Tag,
    consent_bit,
)
from samphan.customers.search import build_search_document
from samphan.customers.services.consent import CONSENT_FIELDS, consent_record
from samphan.customers.services.contact_points import contact_point_add
from samphan.customers.services.customers import ROW_FIELDS, customer_update
from samphan.customers.services.duplicates import DUPLICATE_KINDS

Policy = ImportMapping.Policy
CREATE = str(AuditEvent.Action.CREATE)
CUSTOMER, POINT, CONSENT = (
    model._meta.label_lower for model in (Customer, ContactPoint, ConsentRecord)
)
POINT_COLUMNS = [
    "created_at",
    "updated_at",
    "customer_id",
    "kind",
    "value",
    "label",
    "is_preferred",
]
CONSENT_COLUMNS = [
    "customer_id", "channel", "purpose", "status", "at", "source", "wording_version",
    "recorded_by_id",
]  # fmt: skip
AUDIT_COLUMNS = ["at", "actor_id", "action", "subject_type", "subject_id", "customer_id", "changes"]
ROW_NAMES = list(ROW_FIELDS)
READ_ROW = itemgetter(*(Customer._meta.get_field(name).attname for name in ROW_FIELDS))  # type: ignore[union-attr]
PLAIN = (int, float, bool, type(None), dict, list)  # as core.audit.snapshot keeps them
# The row's fields whose values snapshot may convert: not text (a text field's value is a
# str, or a choice, a str JSON writes the same), not a number, an id or JSON data.
_KEPT = (CharField, TextField, BooleanField, IntegerField, ForeignKey, JSONField)
CONVERTED = [n for n in ROW_FIELDS if not isinstance(Customer._meta.get_field(n), _KEPT)]
_quote = json.encoder.encode_basestring_ascii  # json.dumps's own, for ensure_ascii
# (outcome, column index or ROW, reason): outcome is created, updated, skipped or failed.
Outcome = tuple[str, int, str]


@dataclass(eq=False)
class Target:
    """A customer rows of this batch write: a new one (saved at the end of the batch) or
    one that was there before, as the batch has changed it so far."""

    customer: Customer
    new: bool
    points: list[dict[str, str]] = field(default_factory=list)
    have: set[str] = field(default_factory=set)
    tags: list[str] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Change:
    """A row that fills or updates a customer who was there before."""

    position: int
    target: Target
    fields: dict[str, Any]
    points: list[dict[str, str]]
    tags: list[str]
    consents: list[dict[str, Any]]


class Batch:
    """Decides each row's outcome in file order, then writes: ``Batch(...).run(previews)``."""

    def __init__(self, *, actor: User, policy: str, mapping: Mapping[int, str | None]) -> None:
        self.actor = actor
        self.policy = policy
        self.contact_column = next(
            (i for i, f in sorted(mapping.items()) if f in CONTACT_COLUMNS), ROW
        )
        self.member_column = next(
            (i for i, f in sorted(mapping.items()) if f == "member_number"), ROW
        )
        self.index: dict[str, Target] = {}  # a phone or e-mail -> the customer who has it
        self.existing: dict[int, Target] = {}
        self.created: list[Target] = []
        self.changes: list[Change] = []
        self.members: dict[str, Target | None] = {}  # member numbers taken (None: before)
        self.blank = new_customers(actor)

    def run(self, previews: Sequence[RowPreview]) -> list[Outcome]:
        keys = [_keys(preview) for preview in previews]
        hidden = self._hidden({value for row in keys for value in row})
        self._members_taken(previews)
        outcomes = [
            self._decide(position, preview, row_keys, hidden)
            for position, (preview, row_keys) in enumerate(zip(previews, keys, strict=True))
        ]
        self._created_write()
        for change in self.changes:
            failed = self._change_write(change)
            if failed:
                outcomes[change.position] = failed
        return outcomes

    # -- deciding ----------------------------------------------------------------------

    def _hidden(self, values: set[str]) -> set[str]:
        """The phones and e-mails only customers the importer cannot see have: a row with
        one is created flagged for a manager's review (``duplicates_decide``)."""
        if not values or sees_all_records(self.actor):
            return set()
        visible = Customer.objects.visible_to(self.actor).values("pk")
        holders = ContactPoint.objects.filter(value__in=values, customer__archived_at__isnull=True)
        return set(holders.exclude(customer__in=visible).values_list("value", flat=True))

    def _members_taken(self, previews: Sequence[RowPreview]) -> None:
        numbers = {p.fields["member_number"] for p in previews if p.fields.get("member_number")}
        if numbers:
            taken = Customer.objects.filter(member_number__in=numbers)
            self.members = {str(n): None for n in taken.values_list("member_number", flat=True)}

    def _decide(
        self, position: int, preview: RowPreview, keys: list[str], hidden: set[str]
    ) -> Outcome:
        if preview.action == "fail":
            return _failed(preview)
        found: dict[int, Target] = {}
        if preview.match is not None:
            known = self.existing.get(preview.match.pk) or self._existing(preview.match)
            found[id(known)] = known
        for value in keys:
            if value in self.index:
                found[id(self.index[value])] = self.index[value]
        if len(found) > 1:
            message = _("These contacts belong to %(count)s different customers; merge them first.")
            return "failed", self.contact_column, message % {"count": len(found)}
        target = next(iter(found.values()), None)
        if target is not None and self.policy == Policy.SKIP:
            return "skipped", ROW, ""
        if target is None or self.policy == Policy.CREATE:
            # A row created anyway beside its match (policy create) is not what later rows
            # with its phone match: they match the first, and are created anyway too.
            duplicate = target is not None
            keys = [] if duplicate else keys
            return self._create(preview, keys, review=duplicate or bool(hidden & set(keys)))
        return self._change(position, target, preview, keys)

    def _existing(self, customer: Customer) -> Target:
        target = Target(
            customer=customer,
            new=False,
            have={point.value for point in customer.contact_points.all()},
            tags=[tag.name for tag in customer.tags.all()],
        )
        self.existing[customer.pk] = target
        return target

    def _member_refused(self, preview: RowPreview, target: Target | None) -> Outcome | None:
        number = preview.fields.get("member_number")
        if number and number in self.members and self.members[number] is not target:
            return "failed", self.member_column, _("Another customer has this member number.")
        return None

    def _create(self, preview: RowPreview, keys: list[str], *, review: bool) -> Outcome:
        refused = self._member_refused(preview, None)
        if refused:
            return refused
        customer = self.blank()
        customer.__dict__.update(preview.fields)  # plain fields: their attribute is their name
        customer.duplicate_review = review
        target = Target(
            customer=customer,
            new=True,
            points=list(preview.contact_points),
            have={contact["value"] for contact in preview.contact_points},
            tags=list(preview.tags),
            consents=list(preview.consents),
        )
        self.created.append(target)
        if customer.member_number:
            self.members[customer.member_number] = target
        for value in keys:
            self.index.setdefault(value, target)
        return "created", ROW, ""

    def _change(
        self, position: int, target: Target, preview: RowPreview, keys: list[str]
    ) -> Outcome:
        """Fill or update ``target`` from the row, as ``preview_rows`` decides it for a
        customer that was there before; a row that changes nothing is skipped."""
        customer = target.customer
        fields: dict[str, Any] = {}
        for name, value in preview.fields.items():
            old = getattr(customer, name)
            if name == "custom_fields":
                merged = {**value, **old} if self.policy == Policy.FILL else {**old, **value}
                if merged != old:
                    fields[name] = merged
            elif old in ("", None) or (self.policy == Policy.UPDATE and old != value):
                fields[name] = value
        points = [c for c in preview.contact_points if c["value"] not in target.have]
        tags = [name for name in preview.tags if name not in target.tags]
        if not (fields or points or tags):
            return "skipped", ROW, ""
        refused = self._member_refused(preview, target) if "member_number" in fields else None
        if refused:
            return refused
        for name, value in fields.items():
            setattr(customer, name, value)
        if customer.member_number:
            self.members[customer.member_number] = target
        target.points += points
        target.have |= {contact["value"] for contact in points}
        target.tags += tags
        target.consents += preview.consents
        if not target.new:
            change = Change(position, target, fields, points, tags, list(preview.consents))
            self.changes.append(change)
        for value in keys:
            self.index.setdefault(value, target)
        return "updated", ROW, ""

    # -- writing -----------------------------------------------------------------------

    def _created_write(self) -> None:
        """The new customers, their tags, contact points, consents and audit rows: six
        statements (more on SQLite when a batch passes its parameter limit)."""
        if not self.created:
            return
        tags = _tags_ensure({name for target in self.created for name in target.tags})
        for target in self.created:
            customer = target.customer
            customer.display_name = customer.compute_display_name()
            # The stored order of contact points (kind, then id), as refresh_derived reads it.
            ordered = sorted(target.points, key=lambda contact: contact["kind"])
            contacts = [(contact["kind"], contact["value"]) for contact in ordered]
            customer.search_document = build_search_document(customer, contacts)
            customer.consent_bits = _consent_bits(target.consents)
        with bulk_indexing(Customer):
            objects_insert(Customer, [target.customer for target in self.created])
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        insert_rows(
            Customer.tags.through,
            ["customer_id", "tag_id"],
            [(t.customer.pk, tags[name].pk) for t in self.created for name in t.tags],
        )
        points = [(t.customer.pk, c) for t in self.created for c in t.points]
        point_ids = insert_rows_returning_ids(
            ContactPoint,
            POINT_COLUMNS,
            [(now, now, pk, c["kind"], c["value"], "", False) for pk, c in points],
        )
        consents = [(t.customer.pk, _consent_args(c)) for t in self.created for c in t.consents]
        consent_ids = insert_rows_returning_ids(
            ConsentRecord,
            CONSENT_COLUMNS,
            [(pk, *_consent_row(args), self.actor.pk) for pk, args in consents],
        )
        audits = [
            (CUSTOMER, t.customer.pk, t.customer.pk, json.dumps(_customer_created(t, tags)))
            for t in self.created
        ]
        audits += [
            (POINT, point_id, pk, _point_created(c["kind"], c["value"]))
            for point_id, (pk, c) in zip(point_ids, points, strict=True)
        ]
        audits += [
            (CONSENT, cid, pk, json.dumps(_created({n: args[n] for n in CONSENT_FIELDS})))
            for cid, (pk, args) in zip(consent_ids, consents, strict=True)
        ]
        actor_id = self.actor.pk
        insert_rows(
            AuditEvent,
            AUDIT_COLUMNS,
            [(now, actor_id, CREATE, *audit) for audit in audits],
        )

    def _change_write(self, change: Change) -> Outcome | None:
        """A row's changes to a customer who was there before, through the services in a
        savepoint (audited as any edit); the refusal, if any, as the row's outcome."""
        actor, customer = self.actor, change.target.customer
        try:
            with transaction.atomic():
                tags = None
                if change.tags:
                    have = list(Tag.objects.filter(customers=customer))  # fresh
                    tags = [*have, *_tags_ensure(set(change.tags)).values()]
                customer_update(actor=actor, customer=customer, fields=change.fields, tags=tags)
                for contact in change.points:
                    contact_point_add(
                        actor=actor,
                        customer=customer,
                        kind=contact["kind"],
                        value=contact["value"],
                        allow_duplicate=True,
                    )
                for consent in change.consents:
                    consent_record(actor=actor, customer=customer, **_consent_args(consent))
        except ValidationError as error:
            return "failed", ROW, "; ".join(error.messages)
        return None


def _customer_created(target: Target, tags: Mapping[str, Tag]) -> dict[str, list[Any]]:
    """What ``diff({}, snapshot(customer, AUDITED_CUSTOMER_FIELDS))`` gives of a new
    customer, read straight from its attributes: the fields whose values are plain (text,
    numbers, ids, JSON) as they are, the others through ``snapshot``'s conversion."""
    values = READ_ROW(target.customer.__dict__)  # as objects_insert reads them
    created = {n: [None, v] for n, v in zip(ROW_NAMES, values, strict=True) if v is not None}
    for name in CONVERTED:
        pair = created.get(name)
        if pair is not None:
            pair[1] = _plain(pair[1])
    created["tags"] = [None, sorted(tags[name].pk for name in target.tags)]
    created["interests"] = [None, []]
    return created


def _plain(value: Any) -> Any:
    """``core.audit.snapshot``'s conversion of one value."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = value.astimezone(dt.UTC)
    return value if isinstance(value, PLAIN) else str(value)


def _point_created(kind: str, value: str) -> str:
    """The JSON of a new contact point's audited changes (an import's has no label and is
    not preferred), as ``json.dumps`` writes that dict: its strings escaped by the same
    function, one template for the rest."""
    return (
        f'{{"kind": [null, {_quote(kind)}], "value": [null, {_quote(value)}], '
        '"label": [null, ""], "is_preferred": [null, false]}'
    )


def _created(after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """A creation's audited changes: ``diff({}, after)``."""
    return {name: [None, value] for name, value in after.items() if value is not None}


def _keys(preview: RowPreview) -> list[str]:
    """The row's phones and e-mails: what makes it the same customer as another."""
    if preview.action == "fail":
        return []
    return [c["value"] for c in preview.contact_points if c["kind"] in DUPLICATE_KINDS]


def _failed(preview: RowPreview) -> Outcome:
    column = min(preview.problems, key=lambda c: (c == ROW, c))
    reasons = [m for messages in preview.problems.values() for m in messages]
    return "failed", column, "; ".join(reasons)


def _tags_ensure(names: set[str]) -> dict[str, Tag]:
    """The tags of these names, the missing ones created (two queries, three when some
    are new)."""
    if not names:
        return {}
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = names - tags.keys()
    if missing:
        Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
        tags.update((tag.name, tag) for tag in Tag.objects.filter(name__in=missing))
    return tags


def _consent_args(consent: Mapping[str, Any]) -> dict[str, Any]:
    at = timezone.make_aware(dt.datetime.combine(consent["at"], dt.time()))
    names = ("channel", "purpose", "status", "source", "wording_version")
    return {**{name: consent[name] for name in names}, "at": at}


def _consent_row(args: Mapping[str, Any]) -> tuple[Any, ...]:
    """CONSENT_COLUMNS between the customer and who recorded it."""
    at = connection.ops.adapt_datetimefield_value(args["at"])
    return (args["channel"], args["purpose"], args["status"], at, args["source"],
            args["wording_version"])  # fmt: skip


def _consent_bits(consents: Sequence[Mapping[str, Any]]) -> int | None:
    """The bits ``consent_record`` leaves on a new customer given these records in turn:
    for each channel and purpose, the latest (by date, then as written) if a grant."""
    latest: dict[tuple[str, str], tuple[dt.date, int, str]] = {}
    for order, consent in enumerate(consents):
        pair = (consent["channel"], consent["purpose"])
        mark = (consent["at"], order, consent["status"])
        if pair not in latest or mark[:2] > latest[pair][:2]:
            latest[pair] = mark
    bits = 0
    for (channel, purpose), (_at, _order, status) in latest.items():
        if status == ConsentRecord.Status.GRANTED:
            bits |= consent_bit(channel, purpose)
    return bits or None
