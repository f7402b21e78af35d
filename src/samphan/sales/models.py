"""Products, orders with their lines, and each customer's purchase roll-up.

Money is Decimal baht. An order line keeps the price it was sold at and the cost at
that moment, so revenue and profit never change when the catalogue does. Revenue is
net of VAT and of discounts; a return is a refund line, counted negative.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel
from samphan.core.permissions import OwnedQuerySet
from samphan.customers.models import Customer

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
        verbose_name_plural = _("products")
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
            # alone instead of a table lookup per order (3.4 times faster for 180 days at
            # 100,000 customers). Nearly every order is paid, so the status as the second
            # column skips little. Every index is one more page written by each order (by
            # a back-dated import, one page an order at a million customers): this one
            # replaced a plain date index and one on (status, date …), and one on
            # (channel, date) before them. The channel last, for the breakdown by channel.
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


# -- Pipelines and deals ----------------------------------------------------------------------


class BilingualName(models.Model):
    """A Thai name and an English one; ``label`` picks by the page's language."""

    name = models.CharField(_("name (Thai)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and not (get_language() or "th").startswith("th"):
            return self.name_en
        return self.name


class Pipeline(BilingualName):
    is_default = models.BooleanField(_("default"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_pipeline",
            )
        ]


class Stage(BilingualName):
    class Outcome(models.TextChoices):
        OPEN = "open", _("open")
        WON = "won", _("won")
        LOST = "lost", _("lost")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    outcome = models.CharField(
        _("outcome"), max_length=5, choices=Outcome.choices, default=Outcome.OPEN
    )

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN


class DealQuerySet(OwnedQuerySet):
    def open(self) -> "DealQuerySet":
        return self.filter(stage__outcome=Stage.Outcome.OPEN)


class Deal(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="deals",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals"
    )
    amount = money_field(_("amount"), validators=[MinValueValidator(ZERO)])
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
    )
    source = models.CharField(_("source"), max_length=30, blank=True)
    close_reason = models.CharField(_("won or lost reason"), max_length=200, blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["pipeline", "stage", "-amount"]),
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["team", "stage"]),
            models.Index(fields=["customer"]),
            models.Index(fields=["expected_close"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def source_label(self) -> str:
        return Customer.Source.label_of(self.source)


class DealLine(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="deal_lines"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = money_field(_("unit price"))
    discount = money_field(_("discount"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price - self.discount


class DealStageChange(models.Model):
    """The deal's stage history: one row per move; time in a stage is the gap to the next."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["deal", "at"]), models.Index(fields=["to_stage", "at"])]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"


# -- Leads ------------------------------------------------------------------------------------


class Lead(TimeStampedModel):
    """An enquiry about a customer record at the lead stage: where it came from, who works
    it, and what became of it. The person (or company) itself is a ``Customer`` from the
    start, so calls logged while qualifying stay on their timeline after conversion."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        WORKING = "working", _("working")
        CONVERTED = "converted", _("converted")
        DISQUALIFIED = "disqualified", _("disqualified")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="leads",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    source = models.CharField(_("source"), max_length=20, blank=True)
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    message = models.TextField(_("message"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    closed_at = models.DateTimeField(_("converted or disqualified"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)
    deal = models.ForeignKey(
        Deal,
        verbose_name=_("deal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    matched_existing = models.BooleanField(
        _("matched an existing customer"),
        default=False,
        help_text=_("The phone or e-mail already belonged to a customer, so none was created."),
    )
    # Hash of the sender's address for the public form's rate limit; never the address itself.
    sender_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["sender_hash", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.WORKING)

    @property
    def source_label(self) -> str:
        return Customer.Source.label_of(self.source)


class RoundRobin(models.Model):
    """Who in a team was given the last lead, so the next goes to the one after."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, primary_key=True)
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.team_id}: {self.last_user_id}"


# -- Quotations -------------------------------------------------------------------------------


class QuoteQuerySet(OwnedQuerySet):
    # A quotation is visible to whoever may see its deal.
    scope_prefix = "deal__"


class Quote(TimeStampedModel):
    """A quotation from a deal. Prices are before VAT, as Thai quotations show them."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        EXPIRED = "expired", _("expired")

    number = models.CharField(_("number"), max_length=30, unique=True)
    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.PROTECT, related_name="quotes"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    issued_on = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="th"
    )
    discount = money_field(_("discount on the total"), validators=[MinValueValidator(ZERO)])
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    # Kept by services from the lines.
    subtotal = money_field(_("subtotal"))
    net = money_field(_("after discount"))
    vat = money_field(_("VAT"))
    total = money_field(_("total"))
    notes = models.TextField(_("notes and terms"), blank=True)
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = QuoteQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")
        indexes = [models.Index(fields=["status", "valid_until"]), models.Index(fields=["deal"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = money_field(_("unit price (before VAT)"))
    discount = money_field(_("discount"))
    amount = money_field(_("amount"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("quotation line")
        verbose_name_plural = _("quotation lines")

    def __str__(self) -> str:
        return self.description


class QuoteDocument(models.Model):
    """The PDF exactly as it was sent, kept for the record."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="documents")
    pdf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.quote_id} @ {self.created_at}"


# -- Similar products -------------------------------------------------------------------------


class ProductAffinity(models.Model):
    """Customers who bought ``product`` also bought ``other``: one row per direction of a
    pair, the best 20 for each product, rebuilt from paid orders (``affinities_rebuild``)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="affinities")
    other = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    together = models.PositiveIntegerField()  # customers who bought both
    score = models.FloatField()  # cosine: together / √(buyers of product × buyers of other)
    lift = models.FloatField()  # together × all buyers / (buyers of product × buyers of other)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "other"], name="one_affinity_per_pair")
        ]
        indexes = [models.Index(fields=["product", "-score"])]

    def __str__(self) -> str:
        return f"{self.product_id} → {self.other_id}: {self.score:.3f}"


class SuggestionState(models.Model):
    """One row: when the affinities were last computed, and the order id past which the
    next rebuild is due (so an order write compares its id instead of counting orders)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    computed_at = models.DateTimeField(null=True)
    paid_orders = models.PositiveIntegerField(default=0)
    due_after_order = models.BigIntegerField(default=0)
    queued_at = models.DateTimeField(null=True)  # a rebuild is waiting for the worker
    pairs = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.computed_at}: {self.pairs} pairs"
