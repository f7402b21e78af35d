"""Money columns: Decimal baht, two places."""

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.expressions import Combinable
from django_stubs_ext import StrOrPromise

ZERO = Decimal("0.00")

# What a money column accepts when set, and what reading it gives.
type MoneyField = models.DecimalField[str | float | Decimal | Combinable, Decimal]


def money_field(verbose_name: StrOrPromise, **kwargs: Any) -> MoneyField:
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, default=ZERO, **kwargs
    )
