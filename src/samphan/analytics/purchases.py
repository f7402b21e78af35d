"""The purchase totals sales pages show, read from the customer roll-up and registered
with sales at start (``samphan.sales.purchases``), which may not import analytics."""

from django.db.models import OuterRef, Subquery

from samphan.analytics.models import CustomerActivity


class ActivityPurchaseTotals:
    def of_customer(self, customer_id: int) -> CustomerActivity:
        found = CustomerActivity.objects.filter(pk=customer_id).first()
        return found or CustomerActivity(customer_id=customer_id)

    def last_purchase_at(self) -> Subquery:
        activity = CustomerActivity.objects.filter(customer_id=OuterRef("customer_id"))
        return Subquery(activity.values("last_purchase_at"))
