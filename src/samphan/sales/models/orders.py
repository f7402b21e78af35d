"""Orders with their lines.

An order line keeps the price it was sold at and the cost at that moment, so revenue and
profit never change when the catalogue does. Revenue is net of VAT and of discounts; a
return is a refund line, counted negative.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel
from samphan.core.permissions import OwnedQuerySet
from samphan.sales.models.catalogue import Product
from samphan.sales.models.money import money_field


class OrderQuerySet(OwnedQuerySet["Order"]):
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
        null=True,
        blank=True,
        help_text=_("The POS or e-shop's own order id; a repeated one never makes a second order."),
    )  # unique where set: see Meta
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,  # led by the (customer, status, ordered_at) index
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
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["customer", "status", "ordered_at"]),
            # Leads with the date, so that one index serves both the order list (newest
            # first, any status) and "each customer's paid revenue and profit in a
            # period" (top customers, shares, groups for any dates), read from the index
            # alone instead of a table lookup per order (the gain: docs/performance.md).
            # Nearly every order is paid, so the status as the second column skips
            # little. Every index is one more page written by each order (by a back-dated
            # import, one page an order at a million customers): this one replaced a
            # plain date index and one on (status, date …), and one on (channel, date)
            # before them. The channel last, for the breakdown by channel.
            models.Index(
                fields=["ordered_at", "status", "customer", "revenue", "profit", "channel"],
                name="sales_order_period_idx",
            ),
        ]
        constraints = [
            # Unique over the orders that have one, as a partial index: most orders have
            # none, and in a plain unique index SQLite's statistics count those NULLs as
            # one value shared by millions of rows, so a lookup of a batch's ids scanned
            # the table (4.5 million orders) instead of using the index.
            models.UniqueConstraint(
                fields=["external_id"],
                condition=models.Q(external_id__isnull=False),
                name="sales_order_external_id_unique",
                violation_error_message=_("An order with this external ID is recorded already."),
            )
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="order_lines",
        db_index=False,  # led by the (product, order) index
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
        verbose_name_plural = _("order lines")
        indexes = [models.Index(fields=["product", "order"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"
