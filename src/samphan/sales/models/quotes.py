"""Quotations, their lines and the PDFs as sent."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samphan.core.models import TimeStampedModel
from samphan.core.permissions import OwnedQuerySet
from samphan.sales.models.catalogue import Product
from samphan.sales.models.deals import Deal
from samphan.sales.models.money import ZERO, money_field
from samphan.sales.models.orders import Order


class QuoteQuerySet(OwnedQuerySet["Quote"]):
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
