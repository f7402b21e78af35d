"""Tags: named, renamed and deleted (taken off every customer, each audited)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record, audit_record_for_each
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer, Tag


@transaction.atomic
def tag_save(*, tag: Tag, name: str) -> Tag:
    tag.name = (name or "").strip()
    if not tag.name:
        raise ValidationError({"name": _("Enter a name.")})
    if Tag.objects.filter(name=tag.name).exclude(pk=tag.pk).exists():
        raise ValidationError({"name": _("A tag with this name already exists.")})
    tag.full_clean()
    tag.save()
    return tag


@transaction.atomic
def tag_delete(*, actor: User | None, tag: Tag) -> int:
    """Delete a tag and take it off every customer; returns how many customers had it.

    Each of those customers gets an audit row of its own (the tag's name, old → none),
    so a customer's change history is complete without looking for tag-wide events;
    the rows are written by one INSERT … SELECT over the tag's links, so a tag on
    200,000 customers costs one statement, not 200,000 round trips. One more row,
    without a customer, records the deletion itself with that count, so a tag that no
    one had still leaves a trace.
    """
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    links = Customer.tags.through.objects.filter(tag_id=tag.pk)
    changes = {"name": [tag.name, None]}
    count = audit_record_for_each(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        subject=tag,
        changes=changes,
        rows=links,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        subject=tag,
        changes={**changes, "customers": [count, 0]},
    )
    tag.delete()
    return count
