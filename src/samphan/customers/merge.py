"""Merging two records of the same customer: everything moves to the one that stays.

Generic over every relation that points at ``Customer`` (orders, deals, leads and whatever
later apps add), so the customers app needs to know none of them; the merged record is
archived, not deleted, and the audit log names both.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record
from samphan.core.models import AuditEvent
from samphan.customers.models import ContactPoint, Customer
from samphan.customers.services import customer_archive, refresh_derived
from samphan.customers.signals import history_changed

# Relations handled by hand below (uniqueness rules), or not moved at all.
SPECIAL = {"contact_points", "tags", "interests"}


@transaction.atomic
def customer_merge(*, actor: User | None, source: Customer, target: Customer) -> Customer:
    """Move ``source``'s history, contact points, consents, tags and every record that
    points at it onto ``target``; archive ``source``. Returns ``target``."""
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another customer to merge into.")})
    if source.kind != target.kind:
        raise ValidationError(
            {"target": _("A person merges only into a person, a company into a company.")}
        )
    moved = _move_contact_points(source, target)
    target.tags.add(*source.tags.all())
    target.interests.add(*source.interests.all())
    for relation in Customer._meta.related_objects:
        if relation.related_name in SPECIAL or relation.many_to_many or relation.one_to_one:
            continue
        model = relation.related_model
        field = relation.field.name
        moved[relation.name] = model._default_manager.filter(**{field: source}).update(
            **{field: target}
        )
    refresh_derived(target)
    history_changed.send(Customer, customer_ids=[source.pk, target.pk])
    customer_archive(actor=actor, customer=source)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        subject=target,
        customer_id=target.pk,
        changes={"merged_from": [source.pk, None], **{k: [None, v] for k, v in moved.items() if v}},
    )
    return target


def _move_contact_points(source: Customer, target: Customer) -> dict[str, int]:
    """Contact points the target lacks move over (never a second preferred one)."""
    existing = set(target.contact_points.values_list("kind", "value"))
    duplicates = Q()
    for kind, value in existing:
        duplicates |= Q(kind=kind, value=value)
    points = ContactPoint.objects.filter(customer=source)
    if existing:
        points = points.exclude(duplicates)
    if target.contact_points.filter(is_preferred=True).exists():
        points.filter(is_preferred=True).update(is_preferred=False)
    return {"contact_points": points.update(customer=target)}
