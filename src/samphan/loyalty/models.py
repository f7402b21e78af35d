"""Loyalty points (C15): a ledger of every change to a member's points, the balance kept on
the member, and the programme's rules, versioned.

The ledger is append-only. An order earns a row (``earn``), a refund or a cancellation
takes back what the order earned in another (``reverse``), staff redeem and adjust, and
points expire in rows of their own; a balance is the sum of its member's rows, kept on
``Member.points`` as rows are written (``services.ledger``) and rebuilt from them by
``samphan loyalty-rebuild``. Each row says why it is there (``cause``, the order, the
rules it earned under), so any balance can be explained line by line.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samphan.core.permissions import OwnedQuerySet
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


class Member(models.Model):
    """A customer's membership: the balance, which is the sum of their ledger rows.

    A customer becomes a member with their first points; one with no row has none.
    """

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="member"
    )
    points = models.IntegerField(pgettext_lazy("loyalty", "points"), default=0)
    # Set at a review that found the member short of their tier: they keep it until then.
    grace_until = models.DateField(_("keeps the tier until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.points}"


class PointsEntryQuerySet(OwnedQuerySet["PointsEntry"]):
    scope_prefix = "customer__"  # an entry is visible with its customer


class PointsEntry(models.Model):
    """A row of the ledger: never changed once written (erasure blanks its note)."""

    class Kind(models.TextChoices):
        EARN = "earn", _("earned")
        REDEEM = "redeem", _("redeemed")
        EXPIRE = "expire", _("expired")
        ADJUST = "adjust", _("adjusted")
        REVERSE = "reverse", _("taken back")

    class Cause(models.TextChoices):
        ORDER = "order", _("an order")
        REFUND = "refund", _("a refund or cancellation")
        CAMPAIGN = "campaign", _("a campaign")
        REFERRAL = "referral", _("a referral")
        REWARD = "reward", _("a reward")
        STAFF = "staff", _("staff")
        EXPIRY = "expiry", _("expiry")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="points_entries", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices, default=Cause.STAFF)
    points = models.IntegerField(pgettext_lazy("loyalty", "points"))  # negative when spent
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (order) index below, partial
    )
    # When the points of an earning row expire (empty: never). A reversal carries the
    # date of what it takes back, so expiry nets them (``services.expiry``).
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    # How an order's points were counted (rate, multipliers by product, bonuses, cap, the
    # programme and rule versions): a refund recounts what is left with the same basis.
    basis = models.JSONField(_("basis"), null=True, blank=True)
    # Set by whoever posts it so that a retry posts once: "order:12:1", "api:<key>".
    key = models.CharField(_("key"), max_length=120, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PointsEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [
            models.Index(fields=["customer", "-at"]),
            models.Index(
                fields=["order"],
                name="loyalty_entry_order",
                condition=models.Q(order__isnull=False),
            ),
            # The nightly expiry reads the members whose points expire in its window.
            models.Index(
                fields=["expires_on"],
                name="loyalty_entry_expires",
                condition=models.Q(expires_on__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], name="loyalty_entry_key", condition=models.Q(key__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.points:+d} ({self.kind})"


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


class TierChange(models.Model):
    """A member's tier history: each upgrade, downgrade and change by hand, with the
    spend or points it was judged on."""

    class Reason(models.TextChoices):
        QUALIFIED = "qualified", _("qualified")
        REVIEW = "review", _("review")
        STAFF = "staff", _("staff")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="tier_changes", db_index=False
    )
    from_tier = models.CharField(_("from"), max_length=10, choices=Customer.Tier.choices)
    to_tier = models.CharField(_("to"), max_length=10, choices=Customer.Tier.choices)
    reason = models.CharField(_("why"), max_length=10, choices=Reason.choices)
    amount = models.DecimalField(_("judged on"), max_digits=16, decimal_places=2, null=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        indexes = [models.Index(fields=["customer", "-at"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_tier} → {self.to_tier}"


class Reward(models.Model):
    """Something members redeem points for: a drink, a discount, a gift."""

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    points = models.PositiveIntegerField(
        _("points"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    cash = models.DecimalField(
        _("and baht"), max_digits=10, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Paid with the points, at the counter (0: points only)."),
    )  # fmt: skip
    stock = models.PositiveIntegerField(
        _("in stock"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    per_member = models.PositiveSmallIntegerField(
        _("at most per member"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    min_tier = models.CharField(
        _("for tiers from"), max_length=10, choices=Customer.Tier.choices, blank=True
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    voucher_days = models.PositiveSmallIntegerField(
        _("voucher valid for (days)"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )  # fmt: skip
    image = models.ImageField(_("picture"), upload_to="rewards/%Y/", blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        ordering = ["points", "name"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class VoucherQuerySet(OwnedQuerySet["Voucher"]):
    scope_prefix = "customer__"  # a voucher is visible with its customer


class Voucher(models.Model):
    """A redemption: the points taken (its ledger row), and a code to use once, at the
    counter or in an order, before it expires."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("ready to use")
        USED = "used", _("used")
        CANCELLED = "cancelled", _("cancelled")

    code = models.CharField(_("code"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="vouchers", db_index=False
    )
    entry = models.OneToOneField(  # the ledger row that took the points
        PointsEntry, on_delete=models.PROTECT, related_name="voucher"
    )
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="vouchers")
    points = models.PositiveIntegerField(_("points"))
    cash = models.DecimalField(_("and baht"), max_digits=10, decimal_places=2, default=Decimal(0))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_on = models.DateField(_("use by"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = VoucherQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        indexes = [
            models.Index(fields=["customer", "-issued_at"]),
            models.Index(fields=["reward", "customer"]),
        ]

    def __str__(self) -> str:
        return self.code
