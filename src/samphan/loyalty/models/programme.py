"""The programme's settings and earning rules, each change a new version; the nightly
run's claim of the day."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samphan.customers.models import Customer
from samphan.sales.models import Category, Order, Product


class Programme(models.Model):
    """The programme's settings. Never edited in place: a change saves a new row, and the
    newest is in force, so an order's earn row names the version it earned under."""

    class Expiry(models.TextChoices):
        NEVER = "never", _("never")
        MONTHS = "months", _("a number of months after they are earned")
        YEAR_END = "year_end", _("at the end of the next calendar year")

    baht_per_point = models.DecimalField(
        _("baht per point"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(25),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100_000))],
        help_text=_("A point for every this many baht of net spend (before VAT), rounded down."),
    )
    max_points_per_order = models.PositiveIntegerField(
        _("most points an order earns"),
        null=True,
        blank=True,
        help_text=_("Empty: no cap. Bonuses count towards the cap."),
    )
    expiry = models.CharField(
        _("points expire"), max_length=10, choices=Expiry.choices, default=Expiry.MONTHS
    )
    expiry_months = models.PositiveSmallIntegerField(
        _("months until points expire"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class TiersBy(models.TextChoices):
        STAFF = "staff", _("set by staff")
        SPEND = "spend", _("spend in the window")
        POINTS = "points", _("points earned in the window")

    class Review(models.TextChoices):
        MONTHLY = "monthly", _("every month")
        QUARTERLY = "quarterly", _("every quarter")
        YEARLY = "yearly", _("every year")

    tiers_by = models.CharField(
        _("tiers are earned by"), max_length=10, choices=TiersBy.choices, default=TiersBy.SPEND
    )
    tier_window_months = models.PositiveSmallIntegerField(
        _("window (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Spend or points of this many months before the day count."),
    )
    silver_from = models.DecimalField(
        _("Silver from"), max_digits=14, decimal_places=2, default=Decimal(10_000),
        validators=[MinValueValidator(Decimal("0.01"))],
    )  # fmt: skip
    gold_from = models.DecimalField(
        _("Gold from"), max_digits=14, decimal_places=2, default=Decimal(50_000),
        validators=[MinValueValidator(Decimal("0.01"))],
    )  # fmt: skip
    platinum_from = models.DecimalField(
        _("Platinum from"), max_digits=14, decimal_places=2, default=Decimal(150_000),
        validators=[MinValueValidator(Decimal("0.01"))],
    )  # fmt: skip
    silver_multiplier = models.DecimalField(
        _("Silver earns ×"), max_digits=4, decimal_places=2, default=Decimal(1),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(20))],
    )  # fmt: skip
    gold_multiplier = models.DecimalField(
        _("Gold earns ×"), max_digits=4, decimal_places=2, default=Decimal("1.5"),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(20))],
    )  # fmt: skip
    platinum_multiplier = models.DecimalField(
        _("Platinum earns ×"), max_digits=4, decimal_places=2, default=Decimal(2),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(20))],
    )  # fmt: skip
    tier_review = models.CharField(
        _("tiers reviewed"), max_length=10, choices=Review.choices, default=Review.MONTHLY
    )
    tier_grace_days = models.PositiveSmallIntegerField(
        _("grace before a lower tier (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("A member short of their tier at a review keeps it this long."),
    )
    remind_days = models.PositiveSmallIntegerField(
        _("remind members this many days before points expire"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("0: no reminders. Sent by their preferred channel, as a service message."),
    )
    point_value = models.DecimalField(
        _("a point is worth (฿)"), max_digits=8, decimal_places=4, default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10_000))],
        help_text=_("What the shop gives for a point: the programme's liability and the cost "
                    "of rewards are counted at this value."),
    )  # fmt: skip
    referrer_points = models.PositiveIntegerField(
        _("points for the member who refers"), default=200,
        validators=[MaxValueValidator(1_000_000)],
    )  # fmt: skip
    referred_points = models.PositiveIntegerField(
        _("points for the friend referred"), default=100,
        validators=[MaxValueValidator(1_000_000)],
    )  # fmt: skip
    referral_min_order = models.DecimalField(
        _("the friend's first paid order of at least (฿)"), max_digits=14, decimal_places=2,
        default=Decimal(500), validators=[MinValueValidator(Decimal(0))],
    )  # fmt: skip
    referral_hold_days = models.PositiveSmallIntegerField(
        _("days the order must stand unrefunded"), default=14,
        validators=[MaxValueValidator(365)],
        help_text=_("Both are rewarded once the order is this many days old and not refunded."),
    )  # fmt: skip
    referral_limit_month = models.PositiveSmallIntegerField(
        _("rewarded referrals per member per month"), default=10,
        validators=[MaxValueValidator(1000)],
        help_text=_("Referrals past this many in a calendar month are not rewarded."),
    )  # fmt: skip
    referral_review_over = models.PositiveSmallIntegerField(
        _("staff review a member's referrals past this many in 30 days"), default=5,
        validators=[MaxValueValidator(1000)], help_text=_("0: never."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programme versions")

    def __str__(self) -> str:
        return f"v{self.pk}: ฿{self.baht_per_point}/point"


WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


class EarningRule(models.Model):
    """A promotion on top of the base rate: a multiplier or bonus points, for orders that
    meet every condition set (an empty condition is any).

    Versioned like the programme: a change saves a new row and closes the old one
    (``replaced_by``), so what an order earned under stays readable. Of several matching
    multipliers an order line takes the highest (they do not compound); the bonuses of
    every matching rule add up.
    """

    name = models.CharField(_("name"), max_length=100)
    multiplier = models.DecimalField(
        _("points multiplier"),
        max_digits=4,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(20))],
        help_text=_("2 gives double points."),
    )
    bonus_points = models.PositiveIntegerField(
        _("bonus points"),
        default=0,
        validators=[MaxValueValidator(1_000_000)],
        help_text=_("Added once to each order that meets the conditions."),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Order.Channel.choices, blank=True
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Customer.Tier.choices, blank=True)
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Days of the week in Bangkok, a bit each from Monday (1) to Sunday (64); 0 is any day.
    weekdays = models.PositiveSmallIntegerField(_("days of the week"), default=0)
    birthday_month = models.BooleanField(_("in the customer's birthday month"), default=False)
    first_purchase = models.BooleanField(_("the customer's first purchase"), default=False)
    min_spend = models.DecimalField(
        _("order of at least (฿)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        indexes = [
            models.Index(
                fields=["is_active"],
                name="loyalty_rule_current",
                condition=models.Q(replaced_by=None),
            )
        ]

    def __str__(self) -> str:
        return self.name


class NightlyRun(models.Model):
    """The one row that says which day the nightly work (expiry, reminders) last ran: a
    worker claims the day by moving it, so a second worker or a restart does it once."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    ran_on = models.DateField(null=True, blank=True)
    last_entry_id = models.BigIntegerField(default=0)  # the ledger's newest row at that run
    expired = models.PositiveIntegerField(default=0)  # members whose points expired
    reminded = models.PositiveIntegerField(default=0)
    upgraded = models.PositiveIntegerField(default=0)
    downgraded = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.ran_on}"
