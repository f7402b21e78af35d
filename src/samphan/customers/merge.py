"""Merging records of the same customer: everything the duplicates own moves to the one
that stays, and the merge can be undone for 30 days.

Generic over every relation that points at ``Customer`` (orders, deals, leads, visits,
points, segment memberships, messages and whatever later apps add), found by
introspection, so the customers app needs to know none of them and a new one cannot be
forgotten (``tests/customers/test_merge.py`` fails on a relation no rule covers). A
foreign key moves; a unique constraint that includes it (a contact point's value, a
segment's member) keeps the row that would repeat with the duplicate; a many-to-many
(tags, interests, breaches) is a union; a one-to-one is a roll-up, recomputed. What moved
is stored, row ids per relation, in a ``MergeRecord``, which the undo reads.

Undo is refused after 30 days, twice, once the survivor or a duplicate has been erased or
merged again, or while a later merge into the same survivor stands (undo that first):
then the rows moved could have been changed in ways the record cannot reverse. Rows added
to the survivor after the merge stay with it.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from itertools import batched
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.customers.lifecycle import may_become_customer
from samphan.customers.models import (
    CONSENT_BIT_POSITIONS,
    ConsentRecord,
    ContactPoint,
    Customer,
    MergeRecord,
    consent_bit,
)
from samphan.customers.services import customer_archive, refresh_derived
from samphan.customers.services.customers import CUSTOMER_FIELDS
from samphan.customers.signals import history_changed

UNDO_DAYS = 30
# Fields whose surviving value is chosen (``choices``); the others stay the survivor's.
CHOSEN_FIELDS = (*(f for f in CUSTOMER_FIELDS if f != "kind"), "photo")
# Relations that are not moved: the merge's own bookkeeping, and roll-ups recomputed.
NOT_MOVED = {
    "customers.Customer.merged_into",
    "customers.MergeRecord.survivor",
    "analytics.CustomerActivity.customer",
    "analytics.CustomerRFM.customer",
    "analytics.PurchaseMarks.customer",  # recounted by the merge's roll-up refresh
    "loyalty.Member.customer",  # the balance: its ledger rows move, and it is recomputed
    "loyalty.Referral.referred",  # one a customer: the survivor's stands, the other's stays
}
CHUNK = 5000


def relation_key(field: models.Field[Any, Any]) -> str:
    return f"{field.model._meta.label}.{field.name}"


def merge_relations() -> list[tuple[str, models.Field[Any, Any]]]:
    """Every relation to ``Customer`` and how it moves: ``fk``, ``m2m`` or ``skip``.
    Raises on a one-to-one not declared in ``NOT_MOVED`` (a row each cannot move)."""
    fields: list[models.Field[Any, Any]] = [r.field for r in Customer._meta.related_objects]
    fields += list(Customer._meta.many_to_many)
    plan = []
    for field in fields:
        key = relation_key(field)
        if key in NOT_MOVED:
            plan.append(("skip", field))
        elif field.many_to_many:
            plan.append(("m2m", field))
        elif field.one_to_one:
            raise LookupError(f"{key}: a one-to-one to Customer; add it to NOT_MOVED")
        else:
            plan.append(("fk", field))
    return plan


def _empty(value: Any) -> bool:
    return value in (None, "", {}, []) or (hasattr(value, "name") and not value.name)


def _json(field: models.Field[Any, Any], customer: Customer) -> Any:
    value = getattr(customer, field.attname)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "name"):
        return value.name or ""
    return value


def _field(name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", Customer._meta.get_field(name))  # a column


def _set(customer: Customer, name: str, value: Any) -> None:
    field = _field(name)
    setattr(customer, field.attname, None if value is None else field.to_python(value))


def _lock(ids: Iterable[int]) -> dict[int, Customer]:
    rows = Customer.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")
    return {c.pk: c for c in rows}


@transaction.atomic
def customers_merge(
    *,
    actor: User | None,
    survivor: Customer,
    duplicates: Sequence[Customer],
    choices: dict[str, int] | None = None,
) -> MergeRecord:
    """Move everything ``duplicates`` own to ``survivor``, take each field in ``choices``
    from the customer named there (else the survivor's, or the newest non-empty one),
    archive the duplicates pointing at the survivor, and return the record that undoes it."""
    choices = choices or {}
    dup_ids = [d.pk for d in duplicates]
    if not dup_ids:
        raise ValidationError({"duplicate_ids": _("Choose at least one customer to merge.")})
    if survivor.pk in dup_ids:
        raise ValidationError({"duplicate_ids": _("A customer cannot be merged into itself.")})
    locked = _lock([survivor.pk, *dup_ids])
    if actor is not None:
        visible = set(
            Customer.objects.visible_to(actor)
            .filter(pk__in=list(locked))
            .values_list("pk", flat=True)
        )
        if len(locked) < len(dup_ids) + 1 or visible != set(locked):
            raise ValidationError({"duplicate_ids": _("One of these customers was not found.")})
    elif len(locked) < len(dup_ids) + 1:
        raise ValidationError({"duplicate_ids": _("One of these customers was not found.")})
    target = locked[survivor.pk]
    dups = [locked[pk] for pk in dup_ids]
    for customer in [target, *dups]:
        if customer.kind != target.kind:
            raise ValidationError(
                {
                    "duplicate_ids": _(
                        "A person merges only into a person, a company into a company."
                    )
                }
            )
        if customer.erased_at is not None:
            raise ValidationError({"duplicate_ids": _("An erased customer cannot be merged.")})
        if customer.merged_into_id is not None:
            raise ValidationError({"duplicate_ids": _("This customer was already merged.")})
    for name, source in choices.items():
        if name not in CHOSEN_FIELDS:
            raise ValidationError({"choices": _("No such field: %(name)s") % {"name": name}})
        if source not in locked:
            raise ValidationError(
                {"choices": _("%(name)s: choose one of the customers merged.") % {"name": name}}
            )
    record = MergeRecord(
        survivor=target,
        duplicate_ids=dup_ids,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    changed = _choose_fields(target, dups, locked, choices, record)
    record.unpreferred_ids = _unprefer(target, dup_ids)
    counts: dict[str, int] = {}
    for how, field in merge_relations():
        if how == "fk":
            moved = _move_fk(field, target.pk, dup_ids)
        elif how == "m2m":
            moved = _union_m2m(field, target.pk, dup_ids)
        else:
            continue
        if any(moved.values()):
            record.moved[relation_key(field)] = moved
            counts[relation_key(field)] = sum(len(v) for v in moved.values())
    record.save()
    for dup in dups:
        customer_archive(actor=actor, customer=dup)
    Customer.objects.filter(pk__in=dup_ids).update(merged_into=target)
    _recompute([target, *dups])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=target,
        customer_id=target.pk,
        changes={
            "merged_from": [None, dup_ids],
            "merge_record": [None, record.pk],
            **{k: [None, v] for k, v in counts.items()},
            **changed,
        },
    )
    return record


def customer_merge(*, actor: User | None, source: Customer, target: Customer) -> Customer:
    """One duplicate into ``target`` (lead conversion): ``customers_merge``."""
    customers_merge(actor=actor, survivor=target, duplicates=[source])
    target.refresh_from_db()
    return target


def _choose_fields(
    target: Customer,
    dups: list[Customer],
    locked: dict[int, Customer],
    choices: dict[str, int],
    record: MergeRecord,
) -> dict[str, list[Any]]:
    newest_first = sorted(dups, key=lambda c: c.updated_at, reverse=True)
    before: dict[str, Any] = {}
    dup_before: dict[str, dict[str, Any]] = {}
    changed: dict[str, list[Any]] = {}
    for name in CHOSEN_FIELDS:
        field = _field(name)
        if name in choices:
            source = locked[choices[name]]
        elif name == "stage":
            source = stage_source(target, newest_first)
        elif not _empty(getattr(target, field.attname)):
            source = target
        else:
            source = next(
                (d for d in newest_first if not _empty(getattr(d, field.attname))), target
            )
        old = _json(field, target)
        value = _json(field, source)
        if name == "custom_fields":  # the chosen one's, its empty keys filled from the rest
            value = dict(value or {})
            for other in [target, *newest_first]:
                for key, item in (other.custom_fields or {}).items():
                    if _empty(value.get(key)):
                        value[key] = item
        if value == old:
            continue
        before[name] = old
        changed[name] = [old, value]
        if field.unique and source is not target:  # the duplicate gives it up
            dup_before.setdefault(str(source.pk), {})[name] = value
            Customer.objects.filter(pk=source.pk).update(**{field.attname: None})
        _set(target, name, value)
        if name == "photo":
            before["photo_thumbnail"] = _json(_field("photo_thumbnail"), target)
            target.photo_thumbnail = source.photo_thumbnail
    if before:
        target.save(update_fields=[*before, "updated_at"])
    record.survivor_before = {"fields": before, "duplicates": dup_before}
    return changed


def stage_source(target: Customer, others: Sequence[Customer]) -> Customer:
    """Whose stage stays when none is chosen: the survivor's, unless it is one a purchase
    ends (``customers.lifecycle``) and another is a customer: their orders come along."""
    if may_become_customer(target.stage):
        for other in others:
            if other.stage == Customer.Stage.CUSTOMER:
                return other
    return target


def _unprefer(target: Customer, dup_ids: list[int]) -> list[int]:
    """The survivor keeps at most one preferred contact point: its own, else the first
    duplicate's."""
    keep = ContactPoint.objects.filter(customer_id=target.pk, is_preferred=True).exists()
    taken: list[int] = []
    for pk in dup_ids:
        ids = list(
            ContactPoint.objects.filter(customer_id=pk, is_preferred=True).values_list(
                "pk", flat=True
            )
        )
        if keep:
            taken += ids
        keep = keep or bool(ids)
    ContactPoint.objects.filter(pk__in=taken).update(is_preferred=False)
    return taken


def _unique_others(field: models.Field[Any, Any]) -> list[list[str]]:
    """For each unconditional unique constraint that includes ``field``, its other fields."""
    meta = field.model._meta
    sets = [
        list(c.fields)
        for c in meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
    ]
    sets += [list(u) for u in meta.unique_together]
    return [
        [getattr(meta.get_field(n), "attname", n) for n in s if n != field.name]
        for s in sets
        if field.name in s
    ]


def _move_fk(
    field: models.Field[Any, Any], target_id: int, dup_ids: list[int]
) -> dict[str, list[int]]:
    manager = field.model._default_manager
    others = _unique_others(field)
    moved: dict[str, list[int]] = {}
    taken: list[set[tuple[Any, ...]]] = [
        {
            tuple(str(v).casefold() for v in row)
            for row in manager.filter(**{field.attname: target_id}).values_list(*cols)
        }
        for cols in others
    ]
    for dup_id in dup_ids:
        rows = manager.filter(**{field.attname: dup_id}).order_by("pk")
        if not others:
            ids = list(rows.values_list("pk", flat=True))
        else:
            ids = []
            for row in rows.values_list("pk", *[c for cols in others for c in cols]):
                keys, at = [], 1
                for cols in others:
                    keys.append(tuple(str(v).casefold() for v in row[at : at + len(cols)]))
                    at += len(cols)
                if any(key in seen for key, seen in zip(keys, taken, strict=True)):
                    continue  # it would repeat one the survivor has: it stays behind
                ids.append(row[0])
                for key, seen in zip(keys, taken, strict=True):
                    seen.add(key)
        for chunk in batched(ids, CHUNK, strict=False):
            manager.filter(pk__in=chunk).update(**{field.attname: target_id})
        if ids:
            moved[str(dup_id)] = ids
    return moved


def _m2m_columns(field: Any) -> tuple[type[models.Model], str, str]:
    """The through model, its column for the customer and for the other side."""
    through = field.remote_field.through
    if field.model is Customer:  # tags, interests: declared here
        return through, field.m2m_column_name(), field.m2m_reverse_name()
    return through, field.m2m_reverse_name(), field.m2m_column_name()


def _union_m2m(
    field: models.Field[Any, Any], target_id: int, dup_ids: list[int]
) -> dict[str, list[int]]:
    through, mine, other = _m2m_columns(field)
    rows = through._default_manager
    have = set(rows.filter(**{mine: target_id}).values_list(other, flat=True))
    add = []
    for value in rows.filter(**{f"{mine}__in": dup_ids}).values_list(other, flat=True).distinct():
        if value not in have:
            have.add(value)
            add.append(value)
    created = rows.bulk_create([through(**{mine: target_id, other: v}) for v in add])
    return {"added": [r.pk for r in created]} if created else {}


def _consent_bits(customer_ids: list[int]) -> None:
    """The latest record per channel and purpose decides, as ``consent_record`` keeps it."""
    latest: dict[tuple[int, str, str], str] = {}
    for cid, channel, purpose, status in (
        ConsentRecord.objects.filter(customer_id__in=customer_ids)
        .order_by("at", "id")
        .values_list("customer_id", "channel", "purpose", "status")
    ):
        latest[cid, channel, purpose] = status
    bits = dict.fromkeys(customer_ids, 0)
    for (cid, channel, purpose), status in latest.items():
        if status == ConsentRecord.Status.GRANTED and (channel, purpose) in CONSENT_BIT_POSITIONS:
            bits[cid] |= consent_bit(channel, purpose)
    for cid, value in bits.items():
        Customer.objects.filter(pk=cid).update(consent_bits=value or None)


def _recompute(customers: list[Customer]) -> None:
    for customer in customers:
        refresh_derived(customer)
    ids = [c.pk for c in customers]
    _consent_bits(ids)
    history_changed.send(Customer, customer_ids=ids)


@transaction.atomic
def customer_merge_undo(*, actor: User | None, record: MergeRecord) -> Customer:
    """Move back exactly what ``record`` moved; restore the survivor's fields and the
    duplicates. Refused (``ValidationError``) as the module's docstring says."""
    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    if record.undone_at is not None:
        raise ValidationError({"merge": _("This merge was already undone.")})
    if timezone.now() - record.created_at > dt.timedelta(days=UNDO_DAYS):
        raise ValidationError({"merge": _("A merge can be undone only within 30 days.")})
    dup_ids = [int(pk) for pk in record.duplicate_ids]
    locked = _lock([record.survivor_id, *dup_ids])
    target = locked[record.survivor_id]
    if actor is not None and not Customer.objects.visible_to(actor).filter(pk=target.pk).exists():
        raise ValidationError({"merge": _("One of these customers was not found.")})
    if (
        any(c.erased_at for c in locked.values())
        or target.merged_into_id is not None
        or len(locked) <= len(dup_ids)
        or any(locked[pk].merged_into_id != target.pk for pk in dup_ids)
    ):
        raise ValidationError(
            {
                "merge": _(
                    "A customer of this merge was erased or merged again; it cannot be undone."
                )
            }
        )
    if MergeRecord.objects.filter(
        survivor=target, undone_at=None, created_at__gt=record.created_at
    ).exists():
        raise ValidationError({"merge": _("Undo the later merge into this customer first.")})
    fields = {relation_key(f): f for _how, f in merge_relations()}
    for key, moved in record.moved.items():
        field = fields[key]
        if field.many_to_many:
            through = _m2m_columns(field)[0]
            through._default_manager.filter(pk__in=moved.get("added", [])).delete()
            continue
        manager = field.model._default_manager
        for dup_id, ids in moved.items():
            for chunk in batched(ids, CHUNK, strict=False):
                manager.filter(pk__in=chunk, **{field.attname: target.pk}).update(
                    **{field.attname: int(dup_id)}
                )
    ContactPoint.objects.filter(pk__in=record.unpreferred_ids).update(is_preferred=True)
    before = record.survivor_before.get("fields", {})
    for name, value in before.items():
        _set(target, name, value)
    if before:
        target.save(update_fields=[*before, "updated_at"])
    Customer.objects.filter(pk__in=dup_ids).update(merged_into=None)
    for dup_id, values in record.survivor_before.get("duplicates", {}).items():
        dup = locked[int(dup_id)]
        for name, value in values.items():
            _set(dup, name, value)
        dup.save(update_fields=list(values))
    for pk in dup_ids:
        customer_archive(actor=actor, customer=locked[pk], archived=False)
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    _recompute(list(locked.values()))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=target,
        customer_id=target.pk,
        changes={"merge_undone": [record.pk, None], "merged_from": [dup_ids, None]},
    )
    return target
