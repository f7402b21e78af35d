"""The sales router and what its modules share."""

from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from samphan.api.schemas import Id, MaxChars
from samphan.sales import services

router = Router(tags=["sales"])


def optional_money() -> Any:
    return Field(None, ge=0, max_digits=14, decimal_places=2)


class LineIn(Schema):
    model_config = ConfigDict(extra="forbid")
    product_id: Id | None = None
    sku: Annotated[str, MaxChars(40)] | None = None
    quantity: Decimal = Field(gt=0, le=1_000_000, max_digits=12, decimal_places=3)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    discount: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)

    def line_input(self, index: int) -> services.LineInput:
        key = self.product_id if self.product_id is not None else self.sku
        if key is None:
            raise ValidationError({f"lines.{index}.product_id": "Give product_id or sku."})
        return services.LineInput(key, self.quantity, self.unit_price, self.discount)


def lines_input(lines: list[LineIn]) -> list[services.LineInput]:
    return [line.line_input(index) for index, line in enumerate(lines)]
