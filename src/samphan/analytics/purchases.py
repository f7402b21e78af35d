"""The purchase totals sales pages show, read from the customer roll-up and registered
with sales at start (``samphan.sales.purchases``), which may not import analytics."""

from collections.abc import Collection

from django.db.models import OuterRef, Subquery

from samphan.analytics.models import CustomerActivity
from samphan.customers.facts import OrderFacts


class ActivityPurchaseTotals:
    def of_customer(self, customer_id: int) -> CustomerActivity:
        found = CustomerActivity.objects.filter(pk=customer_id).first()
        return found or CustomerActivity(customer_id=customer_id)

    def last_purchase_at(self) -> Subquery:
        activity = CustomerActivity.objects.filter(customer_id=OuterRef("customer_id"))
        return Subquery(activity.values("last_purchase_at"))


def order_facts(ids: Collection[int]) -> dict[int, OrderFacts]:
    """For the customers app (``samphan.customers.facts``): orders and last purchase."""
    rows = CustomerActivity.objects.filter(customer_id__in=list(ids)).values_list(
        "customer_id", "order_count", "last_purchase_at"
    )
    return {pk: OrderFacts(count, last) for pk, count, last in rows}
