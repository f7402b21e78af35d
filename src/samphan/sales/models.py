"""Products, orders with their lines, and each customer's purchase roll-up.

Money is Decimal baht. An order line keeps the price it was sold at and the cost at
that moment, so revenue and profit never change when the catalogue does. Revenue is
net of VAT and of discounts; a return is a refund line, counted negative.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel
from samphan.core.permissions import OwnedQuerySet

ZERO = Decimal("0.00")


def money_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, default=ZERO, **kwargs
    )


class Category(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=20, default="ชิ้น")
    list_price = money_field(_("list price"), validators=[MinValueValidator(ZERO)])
    unit_cost = money_field(_("unit cost"), validators=[MinValueValidator(ZERO)])
    price_includes_vat = models.BooleanField(_("price includes VAT"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    photo = models.ImageField(_("photo"), upload_to="products/%Y/", blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        indexes = [models.Index(fields=["is_active", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class OrderQuerySet(OwnedQuerySet):
    # An order is visible to whoever may see its customer.
    scope_prefix = "customer__"

    def counted(self) -> "OrderQuerySet":
        """Orders that count as sales: paid, neither cancelled nor wholly refunded."""
        return self.filter(status=Order.Status.PAID)


class Order(TimeStampedModel):
    class Channel(models.TextChoices):
        STORE = "store", _("store")
        ONLINE = "online", _("online")
        PHONE = "phone", _("phone")
        LINE = "line", _("LINE")
        FIELD = "field", _("field sales")

    class Status(models.TextChoices):
        PAID = "paid", _("paid")
        REFUNDED = "refunded", _("refunded")
        CANCELLED = "cancelled", _("cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The POS or e-shop's own order id; a repeated one never makes a second order."),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    ordered_at = models.DateTimeField(_("order date"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PAID
    )
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sold by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders_sold",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Sums of the lines, kept by services.
    revenue = money_field(_("revenue"))
    cost = money_field(_("cost"))
    profit = money_field(_("profit"))
    vat = money_field(_("VAT"))
    total = money_field(_("total"))

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-ordered_at", "-id"]
        verbose_name = _("order")
        indexes = [
            models.Index(fields=["customer", "status", "ordered_at"]),
            models.Index(fields=["ordered_at"]),
            models.Index(fields=["channel", "ordered_at"]),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="order_lines"
    )
    is_refund = models.BooleanField(_("refund"), default=False)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = money_field(_("unit price"))
    price_includes_vat = models.BooleanField(_("price includes VAT"), default=True)
    discount = money_field(_("discount"))
    unit_cost = money_field(_("unit cost"))
    # Derived by services.line_amounts; negative on refund lines.
    revenue = money_field(_("revenue"))
    cost = money_field(_("cost"))
    profit = money_field(_("profit"))
    vat = money_field(_("VAT"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        indexes = [models.Index(fields=["product", "order"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class CustomerSales(models.Model):
    """One customer's purchases in sum, kept by every order write (same transaction).

    ``samphan sales_rollup_rebuild`` recomputes every row from the orders; a test checks
    both ways agree.
    """

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="sales"
    )
    revenue = money_field(_("revenue"))
    profit = money_field(_("profit"))
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    first_purchase_at = models.DateTimeField(_("first purchase"), null=True, blank=True)
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer sales")
        verbose_name_plural = _("customer sales")
        indexes = [models.Index(fields=["-revenue"]), models.Index(fields=["-profit"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.revenue}"
