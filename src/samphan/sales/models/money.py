"""Money columns: Decimal baht, two places."""

from decimal import Decimal
from typing import Any

from django.db import models

ZERO = Decimal("0.00")


def money_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, default=ZERO, **kwargs
    )
