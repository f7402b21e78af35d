"""Order lines: read from a form, the API or an import, priced from the catalogue, checked,
and summed into an order (``order_record``, ``orders_bulk_record``, returns, quotations)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from samphan.core.bulk import python_values
from samphan.core.money import format_baht, to_baht, vat_rate
from samphan.sales.models import ZERO, Order, OrderLine, Product

MAX_QUANTITY = Decimal("1000000")
# Within the money columns (14 digits, 2 decimals), with room for an order's sum.
MAX_AMOUNT = Decimal("10000000000")


# A number as given: a Decimal (forms, the API), an int (a POS's quantities) or text to read
# ("1,250.50", from an import); "" is a missing one.
type Amount = Decimal | int | str


@dataclass(frozen=True)
class LineInput:
    """One line as a form, the API or an import gives it; prices default to the catalogue."""

    product: int | str  # id, or SKU
    quantity: Amount
    unit_price: Amount | None = None
    discount: Amount = ZERO
    # How to read unit_price; None: as the product's list price is written.
    price_includes_vat: bool | None = None


class LineAmounts(NamedTuple):
    revenue: Decimal
    vat: Decimal
    cost: Decimal
    profit: Decimal


def line_amounts(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount: Decimal,
    unit_cost: Decimal,
    price_includes_vat: bool,
    is_refund: bool = False,
    rate: Decimal | None = None,
) -> LineAmounts:
    """Revenue net of VAT and discount, its VAT, cost and profit; negative for a refund.
    ``rate`` is the VAT rate when the caller has read the setting already."""
    return _amounts(
        quantity * unit_price - discount,
        quantity * unit_cost,
        price_includes_vat,
        is_refund,
        vat_rate() if rate is None else rate,
    )


def _amounts(
    gross: Decimal, cost: Decimal, includes_vat: bool, is_refund: bool, rate: Decimal
) -> LineAmounts:
    """``line_amounts`` from the line's gross (after discount) and cost, positionally: it
    runs for every line of every order."""
    net = gross / (1 + rate) if includes_vat else gross
    revenue = to_baht(net)
    cost = to_baht(cost)
    vat = to_baht(gross - net if includes_vat else gross * rate)
    if is_refund:
        revenue, cost, vat = revenue * -1, cost * -1, vat * -1
    return LineAmounts(revenue, vat, cost, revenue - cost)


def _decimal(raw: Amount, name: str, errors: dict[str, list[str]]) -> Decimal | None:
    if type(raw) is int:  # as a POS sends quantities; no text to clean up
        return Decimal(raw)
    try:
        value = raw if type(raw) is Decimal else Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(_("Enter a number."))
        return None
    if not value.is_finite():
        errors.setdefault(name, []).append(_("Enter a number."))
        return None
    return value


class ProductPrice(NamedTuple):
    """What pricing a line needs of a product."""

    id: int
    sku: str
    name: str
    list_price: Decimal
    unit_cost: Decimal
    price_includes_vat: bool


class PricedLine(NamedTuple):
    """A validated, priced order line, ready to write."""

    product: ProductPrice
    is_refund: bool
    quantity: Decimal
    unit_price: Decimal
    price_includes_vat: bool
    discount: Decimal
    unit_cost: Decimal
    revenue: Decimal
    cost: Decimal
    profit: Decimal
    vat: Decimal

    @property
    def product_id(self) -> int:
        return self.product.id


def product_prices(lines: Iterable[LineInput]) -> dict[int | str, ProductPrice]:
    """The lines' products in one query, keyed by the id or SKU the line named.

    Plain SQL into tuples: every order reads its products, and building querysets and
    model objects cost several times what the query itself did.
    """
    lines = list(lines)
    ids = sorted({line.product for line in lines if isinstance(line.product, int)})
    skus = sorted({line.product for line in lines if isinstance(line.product, str)})
    conditions = []
    if ids:
        conditions.append(f"id IN ({', '.join(['%s'] * len(ids))})")
    if skus:
        conditions.append(f"sku IN ({', '.join(['%s'] * len(skus))})")
    if not conditions:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(ProductPrice._fields)} FROM {Product._meta.db_table} "  # noqa: S608
            f"WHERE {' OR '.join(conditions)}",
            [*ids, *skus],
        )
        rows = cursor.fetchall()
    by_key: dict[int | str, ProductPrice] = {}
    for row in rows:
        product = ProductPrice(*python_values(Product, ProductPrice._fields, row))
        by_key[product.id] = product
        by_key[product.sku] = product
    return by_key


def build_lines(
    lines: Sequence[LineInput],
    *,
    is_refund: bool = False,
    products: Mapping[int | str, ProductPrice] | None = None,
) -> list[PricedLine]:
    """Validated, priced order lines; a ValidationError names every bad field.

    ``products`` (keyed by id and SKU, as ``product_prices`` gives them) spares the query
    when a bulk import has loaded every product of its orders at once.
    """
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    if products is None:
        products = product_prices(lines)
    errors: dict[str, list[str]] = {}
    built = []
    rate = vat_rate()
    for index, line in enumerate(lines):
        prefix = f"lines.{index}"
        product = products.get(line.product)
        if product is None:
            errors[f"{prefix}.product"] = [_("No product “%(key)s”.") % {"key": line.product}]
            continue
        from_catalogue = line.unit_price in (None, "")
        quantity = _decimal(line.quantity, f"{prefix}.quantity", errors)
        price = _decimal(
            # (`is None` again only so that mypy knows the price given is one)
            product.list_price if from_catalogue or line.unit_price is None else line.unit_price,
            f"{prefix}.unit_price",
            errors,
        )
        discount = _decimal(line.discount or 0, f"{prefix}.discount", errors)
        if quantity is None or price is None or discount is None:
            continue
        amount = quantity * price
        if not ZERO < quantity <= MAX_QUANTITY:
            errors[f"{prefix}.quantity"] = [_("Enter a quantity above 0 and up to 1,000,000.")]
        if price < 0:
            errors[f"{prefix}.unit_price"] = [_("A price cannot be negative.")]
        elif amount > MAX_AMOUNT:
            errors[f"{prefix}.unit_price"] = [
                _("A line's amount can be at most %(amount)s.")
                % {"amount": format_baht(MAX_AMOUNT)}
            ]
        if discount < 0 or discount > amount:
            errors[f"{prefix}.discount"] = [
                _("A discount is between 0 and the line's amount (%(amount)s).")
                % {"amount": format_baht(max(amount, ZERO))}
            ]
        if errors:
            continue
        includes_vat = (
            product.price_includes_vat
            if line.price_includes_vat is None
            else line.price_includes_vat
        )
        amounts = _amounts(
            amount - discount, quantity * product.unit_cost, includes_vat, is_refund, rate
        )
        built.append(
            PricedLine(
                product,
                is_refund,
                quantity,
                price if from_catalogue else to_baht(price),  # the catalogue's has two places
                includes_vat,
                to_baht(discount) if discount else ZERO,
                product.unit_cost,
                amounts.revenue,
                amounts.cost,
                amounts.profit,
                amounts.vat,
            )
        )
    if errors:
        raise ValidationError(errors)
    return built


def add_totals(order: Order, lines: Iterable[PricedLine | OrderLine]) -> None:
    for line in lines:
        order.revenue += line.revenue
        order.cost += line.cost
        order.profit += line.profit
        order.vat += line.vat
    order.total = order.revenue + order.vat
