"""A campaign's results per variant and for the hold-out group, in one query: sent,
delivered, opened, clicked, converted (a paid order within the campaign's window from its
start) and revenue; and the A/B verdict, which waits for the planned sample size and the
end of the window before naming a winner."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.marketing.models import Campaign, Recipient
from samphan.marketing.stats import Comparison, sample_size, two_proportions
from samphan.messaging.models import Message
from samphan.sales.models import ZERO, Order


@dataclass
class Group:
    label: str  # "A", "B" … or "" for the hold-out group
    recipients: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    skipped: int = 0
    opened: int = 0
    clicked: int = 0
    converted: int = 0
    revenue: Decimal = ZERO
    against_first: Comparison | None = None  # conversion vs variant A
    against_holdout: Comparison | None = None  # conversion vs the hold-out group

    @property
    def is_holdout(self) -> bool:
        return not self.label

    @property
    def conversion_rate(self) -> float:
        return self.converted / self.recipients if self.recipients else 0.0

    @property
    def conversion_percent(self) -> float:
        return 100 * self.conversion_rate


@dataclass
class Results:
    groups: list[Group]
    needed_per_group: int
    window_ends: dt.datetime | None
    verdict: str


def window(campaign: Campaign) -> tuple[dt.datetime, dt.datetime] | None:
    if campaign.started_at is None:
        return None
    return campaign.started_at, campaign.started_at + dt.timedelta(days=campaign.conversion_days)


def campaign_results(campaign: Campaign) -> Results:
    needed = sample_size(
        float(campaign.baseline_percent) / 100, float(campaign.effect_points) / 100
    )
    span = window(campaign)
    labels = dict(campaign.variants.values_list("pk", "label"))
    rows = Recipient.objects.filter(campaign=campaign)
    if span is not None:
        orders = Order.objects.filter(
            customer_id=OuterRef("customer_id"),
            status=Order.Status.PAID,
            ordered_at__gte=span[0],
            ordered_at__lt=span[1],
        )
        revenue = (
            orders.order_by().values("customer_id").annotate(total=Sum("revenue")).values("total")
        )
        rows = rows.annotate(bought=Exists(orders), spent=Coalesce(Subquery(revenue), ZERO))
    # Mapping: "converted" and "revenue" are there only with a conversion window.
    figures: QuerySet[Recipient, Mapping[str, Any]] = rows.order_by().values("variant_id").annotate(
        recipients=Count("pk"),
        queued=Count("pk", filter=Q(message__status=Message.Status.QUEUED)),
        sent=Count("pk", filter=Q(message__status=Message.Status.SENT)),
        delivered=Count("message__delivered_at"),
        failed=Count("pk", filter=Q(message__status__in=[Message.Status.FAILED, Message.Status.BLOCKED])),
        skipped=Count("pk", filter=~Q(skipped="")),
        opened=Count("opened_at"),
        clicked=Count("clicked_at"),
        **(
            {"converted": Count("pk", filter=Q(bought=True)), "revenue": Sum("spent")}
            if span is not None
            else {}
        ),
    )  # fmt: skip
    groups = {label: Group(label) for label in sorted(labels.values())}
    holdout = Group("")
    for row in figures:
        group = holdout if row["variant_id"] is None else groups[labels[row["variant_id"]]]
        for name in (
            "recipients",
            "queued",
            "sent",
            "delivered",
            "failed",
            "skipped",
            "opened",
            "clicked",
        ):
            setattr(group, name, row[name])
        group.converted = int(row.get("converted") or 0)
        group.revenue = Decimal(row.get("revenue") or ZERO)
    ordered = list(groups.values())
    first = ordered[0] if ordered else None
    for group in ordered:
        if first is not None and group is not first:
            group.against_first = two_proportions(first.converted, first.recipients,
                                                  group.converted, group.recipients)  # fmt: skip
        if holdout.recipients:
            group.against_holdout = two_proportions(holdout.converted, holdout.recipients,
                                                    group.converted, group.recipients)  # fmt: skip
    verdict = _verdict(ordered, needed, span)
    return Results([*ordered, holdout], needed, span[1] if span else None, verdict)


def _verdict(groups: list[Group], needed: int, span: tuple[dt.datetime, dt.datetime] | None) -> str:
    if span is None:
        return _("Not sent yet.")
    if len(groups) < 2:
        return _("One variant: compare it with the hold-out group.")
    smallest = min(group.recipients for group in groups)
    if smallest < needed:
        return _(
            "No winner can be called: each variant needs %(needed)s recipients to detect the "
            "smallest effect you set, and the smallest has %(smallest)s."
        ) % {"needed": f"{needed:,}", "smallest": f"{smallest:,}"}
    if timezone.now() < span[1]:
        return _("Wait until %(date)s: purchases still count until then.") % {
            "date": timezone.localtime(span[1]).strftime("%Y-%m-%d %H:%M")
        }
    significant = [
        group for group in groups[1:] if group.against_first and group.against_first.significant
    ]
    if not significant:
        return _("No variant differs from A beyond chance (%(level)s%% confidence).") % {
            "level": 95
        }
    best = max(groups, key=lambda group: group.conversion_rate)
    return _("Variant %(label)s converts best, a difference beyond chance (95%% confidence).") % {
        "label": best.label
    }
