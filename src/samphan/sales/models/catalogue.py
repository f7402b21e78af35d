"""The product catalogue, and the similar products computed from what customers bought."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel
from samphan.sales.models.money import ZERO, money_field


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
