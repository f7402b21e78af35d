"""The loyalty API's router and the helpers its modules share."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router

router = Router(tags=["points"])
RECENT = 20
CENTS = Decimal("0.01")


def _decimal(value: Decimal | None) -> str | None:
    """Two places always: a version just saved holds what was sent ("2"), a version read
    back what the column holds ("2.00"); the API answers the same for both."""
    return None if value is None else str(Decimal(value).quantize(CENTS))


def _required(fields: dict[str, Any], never_null: tuple[str, ...]) -> dict[str, Any]:
    for name in never_null:
        if name in fields and fields[name] is None:
            raise ValidationError({name: _("This field cannot be empty.")})
    return fields
