"""Saved column mappings for customer imports: saved (audited) and found again for a
file with the same headers."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.customers.imports.fields import REPEATABLE, headers_signature, known_fields
from samphan.customers.models import ImportMapping

IMPORT_MAPPING_FIELDS = ("name", "headers_signature", "headers", "mapping", "existing_policy")


def import_mapping_clean(
    headers: Sequence[str], mapping: Mapping[int, str | None]
) -> dict[str, str | None]:
    """The mapping as stored ({"0": field or None}); unknown fields, columns the file does
    not have and a single-valued field given twice are errors on ``mapping``."""
    fields = known_fields()
    errors: list[str] = []
    seen: set[str] = set()
    stored: dict[str, str | None] = {}
    for index, field in sorted(mapping.items()):
        if not 0 <= index < len(headers):
            errors.append(_("The file has no column %(index)s.") % {"index": index + 1})
            continue
        if field and field not in fields:
            errors.append(_("“%(field)s” is not a field a column can fill.") % {"field": field})
            continue
        if field and field in seen and field not in REPEATABLE:
            errors.append(_("Two columns fill “%(field)s”.") % {"field": field})
            continue
        if field:
            seen.add(field)
        stored[str(index)] = field or None
    if errors:
        raise ValidationError({"mapping": errors})
    return stored


@transaction.atomic
def import_mapping_save(
    *,
    actor: User,
    name: str,
    headers: Sequence[str],
    mapping: Mapping[int, str | None],
    existing_policy: str = ImportMapping.Policy.SKIP,
) -> ImportMapping:
    """Save ``actor``'s mapping under ``name``; one of theirs with that name is replaced."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    stored = import_mapping_clean(headers, mapping)
    saved = ImportMapping.objects.select_for_update().filter(owner=actor, name=name).first()
    before = snapshot(saved, IMPORT_MAPPING_FIELDS) if saved else {}
    saved = saved or ImportMapping(owner=actor, name=name)
    saved.headers = list(headers)
    saved.headers_signature = headers_signature(headers)
    saved.mapping = stored
    saved.existing_policy = existing_policy
    saved.full_clean(exclude=["owner"])
    changes = diff(before, snapshot(saved, IMPORT_MAPPING_FIELDS))
    if saved.pk and not changes:
        return saved
    saved.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if before else AuditEvent.Action.CREATE,
        subject=saved,
        changes=changes,
    )
    return saved


def import_mapping_for(headers: Sequence[str], user: User) -> ImportMapping | None:
    """The best saved mapping for a file with these headers: the user's own most recent
    one, else a colleague's most recent (a mapping holds column names, not customers)."""
    mine = Case(
        When(owner_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        ImportMapping.objects.filter(headers_signature=headers_signature(headers))
        .order_by(mine, "-updated_at", "-id")
        .first()
    )
