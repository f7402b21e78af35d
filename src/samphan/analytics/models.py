"""Roll-ups the analyses read instead of scanning orders and visits.

Both are kept by the writes that change their sources, in the same transaction, and
rebuilt from scratch by ``samphan analytics_rebuild`` (set-based SQL); a property test
checks that both ways agree.
"""

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samphan.core.fields import RowidOneToOneField
from samphan.core.permissions import OwnedQuerySet
from samphan.sales.models import money_field

WEEKDAYS = range(7)  # Monday = 0, as Python counts
HOURS = range(24)

# When a customer has a usual weekday (analytics.cadence says why): at least MIN_DAYS
# coming days, a week uneven by the chi-square test at the 1% level (six degrees of
# freedom: a statistic above 16.812) and the weekday holding USUAL_SHARE of the days.
MIN_DAYS = 5
USUAL_SHARE = 0.4
CHI_SQUARE_6_AT_1_PERCENT = 16.812


def usual_weekdays_bits() -> Case:
    """A bit per weekday the customer usually comes on (Monday 1, Tuesday 2 … Sunday 64),
    0 for none: the test of ``cadence.usual_weekdays`` in SQL. Nested cases, so that the
    divisions by ``days`` only run where there are days."""
    days = F("days")
    squares = sum((F(f"weekday_{day}") * F(f"weekday_{day}") for day in WEEKDAYS), Value(0))
    uneven = GreaterThan(Value(7.0) * squares / days - days, CHI_SQUARE_6_AT_1_PERCENT)
    bits = sum(
        (
            Case(
                When(
                    GreaterThanOrEqual(Value(1.0) * F(f"weekday_{day}") / days, USUAL_SHARE),
                    then=Value(1 << day),
                ),
                default=Value(0),
            )
            for day in WEEKDAYS
        ),
        Value(0),
    )
    return Case(
        When(Q(days__gte=MIN_DAYS), then=Case(When(uneven, then=bits), default=Value(0))),
        default=Value(0),
    )


class CustomerActivity(models.Model):
    """One customer's roll-up: what they bought (paid orders summed, net of refunds), their
    visits, and the days they came (a day with a visit or a paid order, in local time).

    One row for both, not a sales row and an activity row: an order then changes one
    page of this table, not two (at a million customers an import's orders each land on
    a different page, and pages written are what bound it).

    Cadence is over days, not events: a visit and a purchase an hour apart are one coming,
    not an interval of an hour. Each day counts once in the weekday histogram, and its
    first event's hour in the hour histogram. Intervals are whole days between coming
    days; their mean is ``(last_day - first_day) / (days - 1)`` and their spread comes
    from ``gap_squares`` (the sum of each interval squared).
    """

    customer = RowidOneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="activity"
    )
    revenue = money_field(_("revenue"))
    profit = money_field(_("profit"))
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    first_purchase_at = models.DateTimeField(_("first purchase"), null=True, blank=True)
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True, blank=True)
    visit_count = models.PositiveIntegerField(_("visits"), default=0)
    first_visit_at = models.DateTimeField(_("first visit"), null=True, blank=True)
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True)
    days = models.PositiveIntegerField(_("days with a visit or purchase"), default=0)
    first_day = models.DateField(_("first day"), null=True, blank=True)
    last_day = models.DateField(_("last day"), null=True, blank=True)
    # The first event of the last day: a later event that day changes nothing, an
    # earlier one moves the hour (the roll-up is then recomputed).
    last_day_first_at = models.DateTimeField(null=True, blank=True)
    gap_squares = models.BigIntegerField(default=0)
    # Kept by the database from the weekday counts, so that "usually comes on Saturday"
    # reads an index instead of testing every customer's week (docs/performance.md).
    # The index entry changes only when the usual weekdays do.
    usual_weekdays = models.GeneratedField(
        expression=usual_weekdays_bits(),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("customer activity")
        verbose_name_plural = _("customer activity")
        # No index on revenue or profit: nothing sorts by lifetime figures (periods come
        # from the orders and the per-day roll-ups), and each index cost every order two
        # more pages written (the old entry out, the new one in).
        # The customer too, so that PostgreSQL answers "usually comes on" from the index
        # alone (docs/performance.md; SQLite's rows are keyed by it).
        indexes = [
            models.Index(fields=["usual_weekdays", "customer"], name="activity_usual_weekdays_idx")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.days} days"

    @property
    def weekdays(self) -> list[int]:
        return [getattr(self, f"weekday_{day}") for day in WEEKDAYS]

    @property
    def hours(self) -> list[int]:
        return [getattr(self, f"hour_{hour}") for hour in HOURS]


# One integer column per weekday and per hour (not a JSON list), so that an order adds to
# its day's counter in SQL and a question such as "who usually comes on Monday" is a
# plain comparison of columns.
for _day in WEEKDAYS:
    models.PositiveIntegerField(default=0).contribute_to_class(CustomerActivity, f"weekday_{_day}")
for _hour in HOURS:
    models.PositiveIntegerField(default=0).contribute_to_class(CustomerActivity, f"hour_{_hour}")


class DailySales(models.Model):
    """Paid orders summed per local day and channel: a period's totals are a range sum
    over at most a few thousand rows, never a scan of order lines."""

    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=10)
    revenue = money_field(_("revenue"))
    profit = money_field(_("profit"))
    order_count = models.IntegerField(_("orders"), default=0)

    class Meta:
        verbose_name = _("daily sales")
        verbose_name_plural = _("daily sales")
        constraints = [
            models.UniqueConstraint(fields=["day", "channel"], name="analytics_daily_day_channel")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.revenue}"


class HourlyTraffic(models.Model):
    """Paid orders and visits per local day and hour: a period's weekday × hour heatmap is
    a range sum over at most 24 rows a day."""

    day = models.DateField(_("day"))
    hour = models.PositiveSmallIntegerField(_("hour"))
    orders = models.IntegerField(_("orders"), default=0)
    visits = models.IntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("hourly traffic")
        verbose_name_plural = _("hourly traffic")
        constraints = [
            models.UniqueConstraint(fields=["day", "hour"], name="analytics_hourly_day_hour")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.hour:02d}h"


class RFMSegment(models.TextChoices):
    """The standard RFM segments, by recency (R) and the mean of frequency and money (FM)."""

    CHAMPIONS = "champions", pgettext_lazy("RFM segment", "Champions")
    LOYAL = "loyal", pgettext_lazy("RFM segment", "Loyal")
    POTENTIAL_LOYALIST = "potential_loyalist", pgettext_lazy("RFM segment", "Potential loyalist")
    NEW = "new", pgettext_lazy("RFM segment", "New")
    PROMISING = "promising", pgettext_lazy("RFM segment", "Promising")
    NEED_ATTENTION = "need_attention", pgettext_lazy("RFM segment", "Need attention")
    ABOUT_TO_SLEEP = "about_to_sleep", pgettext_lazy("RFM segment", "About to sleep")
    AT_RISK = "at_risk", pgettext_lazy("RFM segment", "At risk")
    CANT_LOSE = "cant_lose", pgettext_lazy("RFM segment", "Can't lose them")
    HIBERNATING = "hibernating", pgettext_lazy("RFM segment", "Hibernating")
    LOST = "lost", pgettext_lazy("RFM segment", "Lost")


class CustomerRFM(models.Model):
    """Recency, frequency and monetary scores (1–5) of a customer who has bought, and the
    segment they put them in; recomputed for everyone at once by a task."""

    customer = RowidOneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="rfm"
    )
    recency = models.PositiveSmallIntegerField(_("recency"))
    frequency = models.PositiveSmallIntegerField(_("frequency"))
    monetary = models.PositiveSmallIntegerField(_("monetary"))
    segment = models.CharField(_("segment"), max_length=20, choices=RFMSegment.choices)

    class Meta:
        verbose_name = _("RFM score")
        verbose_name_plural = _("RFM scores")
        indexes = [models.Index(fields=["segment"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.recency}{self.frequency}{self.monetary}"


class RFMState(models.Model):
    """One row: when the RFM scores were last computed, and how long it took."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    computed_at = models.DateTimeField(null=True)
    queued_at = models.DateTimeField(null=True)
    customers = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"RFM {self.computed_at}"


class MarksQuerySet(OwnedQuerySet["PurchaseMarks"]):
    scope_prefix = "customer__"  # visible with its customer, as the orders are


class PurchaseMarks(models.Model):
    """One customer's paid orders as the funnel (``analytics.funnel``) needs them: the
    moments of the first, second, second-to-last and last, the first one's channel (the
    lowest id among orders at that moment) and the first moment after the first. Kept by
    the writes of orders like ``CustomerActivity`` (``rollups.marks``); a customer with no
    paid order has no row."""

    customer = RowidOneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="marks"
    )
    first_at = models.DateTimeField()
    first_channel = models.CharField(max_length=10)
    second_at = models.DateTimeField(null=True)  # the second order's moment (may equal first)
    next_at = models.DateTimeField(null=True)  # the first moment later than ``first_at``
    penult_at = models.DateTimeField(null=True)  # the second-to-last order's moment
    last_at = models.DateTimeField()
    repeat_seconds = models.FloatField(null=True)  # from ``first_at`` to ``next_at``

    objects = MarksQuerySet.as_manager()

    class Meta:
        indexes = [
            # The funnel's new customers by channel read these three columns of a period's
            # rows (175,000 in 90 days at a million customers): from the index alone on
            # PostgreSQL (INCLUDE; other databases index first_at only).
            models.Index(
                fields=["first_at"],
                include=["first_channel", "repeat_seconds"],
                name="analytics_marks_first_cover",
            )
        ]

    def __str__(self) -> str:
        return f"customer {self.customer_id}: first purchase {self.first_at}"


class OrdersVersion(models.Model):
    """One row, bumped in the transaction of any change to an order already written (its
    status, a refund, a customer merge, a deletion): each process's columns of the paid
    orders (``analytics.columns``) reload when it moves. New orders do not bump it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"orders version {self.version}"


class Snapshot(models.Model):
    """Figures computed for everyone who sees all records (a dashboard for a preset
    period), kept fresh by the worker while people look at them (``analytics.snapshots``)."""

    key = models.CharField(max_length=100, unique=True)
    data = models.JSONField()
    computed_at = models.DateTimeField()  # the figures are those of this moment
    seconds = models.FloatField(default=0)
    queued_at = models.DateTimeField(null=True)
    viewed_at = models.DateTimeField(null=True)  # to the minute
    sources = models.CharField(max_length=200, blank=True)  # ``sources_mark()`` when computed

    def __str__(self) -> str:
        return f"{self.key} @ {self.computed_at}"


class StoredForecast(models.Model):
    """A revenue forecast made by the worker (``analytics.forecast_store``), one per
    visibility scope: "all" for everyone who sees all records, "user-<id>" for a user
    limited to their own and their team's records. Requests only read it: the fit
    (statsmodels) never runs on the request path."""

    scope = models.CharField(max_length=40, unique=True)
    data = models.JSONField(null=True)  # the ``Forecast``; None until first made
    made_on = models.DateField(null=True)  # the local day it forecasts from
    computed_at = models.DateTimeField(null=True)
    seconds = models.FloatField(default=0)
    queued_at = models.DateTimeField(null=True)  # a task to make it is on its way
    viewed_at = models.DateTimeField(null=True)  # the worker keeps scopes looked at lately

    def __str__(self) -> str:
        return f"forecast {self.scope} @ {self.made_on}"
