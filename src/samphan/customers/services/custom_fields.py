"""Custom field values checked against their typed definitions."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samphan.customers.models import CustomFieldDefinition


def custom_fields_clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check values against their typed definitions; unknown keys are errors."""
    definitions = {d.key: d for d in CustomFieldDefinition.objects.all()}
    cleaned: dict[str, Any] = {}
    errors: list[str] = []
    for key, raw in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(_("Unknown custom field “%(key)s”.") % {"key": key})
            continue
        if raw in (None, ""):
            continue
        try:
            cleaned[key] = _custom_value(definition, raw)
        except (ValueError, InvalidOperation):
            errors.append(
                _("“%(value)s” is not a valid %(type)s for %(label)s.")
                % {"value": raw, "type": definition.get_field_type_display(), "label": key}
            )
    if errors:
        raise ValidationError({"custom_fields": errors})
    return cleaned


def _custom_value(definition: CustomFieldDefinition, raw: Any) -> Any:
    kind = definition.field_type
    if kind == CustomFieldDefinition.FieldType.NUMBER:
        number = Decimal(str(raw))
        if not number.is_finite():
            raise ValueError(raw)
        return str(number)
    if kind == CustomFieldDefinition.FieldType.DATE:
        return dt.date.fromisoformat(str(raw)).isoformat()
    if kind == CustomFieldDefinition.FieldType.CHOICE and str(raw) not in definition.choices:
        raise ValueError(raw)
    text = str(raw)
    if len(text) > 500:
        raise ValueError(raw)
    return text
