"""Orders on the customer timeline, read from the orders themselves (see
``samphan.customers.timeline``): an order write adds no timeline row of its own."""

from django.db.models import Q, QuerySet
from django.urls import reverse

from samphan.accounts.models import User
from samphan.customers.models import Customer, Interaction
from samphan.customers.timeline import USER_NAME, Cursor, Entry, newest_of_active_customers
from samphan.sales.models import Order
from samphan.sales.services.orders import purchase_summary

# Only what an entry shows: an order row is otherwise wide (money columns, note …).
FIELDS = (
    "id", "number", "customer", "ordered_at", "channel", "status", "sold_by", "note",
    "total", *(f"sold_by__{name}" for name in USER_NAME),
)  # fmt: skip
# Labels looked up directly (``get_FOO_display`` rebuilds a dict of the choices a call).
STATUS_LABELS = dict(Order.Status.choices)
CHANNEL_LABELS = dict(Order.Channel.choices)


class Orders:
    """Each order a "purchase" entry, at its order date, linking to the order."""

    rank = 1  # after an interaction logged at the same moment (the sale came first)
    kinds = frozenset({Interaction.Kind.PURCHASE.value})

    def for_customer(
        self,
        user: User,
        customer: Customer,
        *,
        before: Cursor | None,
        q: str,
        kind: str,
        limit: int,
    ) -> list[Entry]:
        if not user.has_perm("sales.view_order"):
            return []
        # Through the (customer, status, ordered_at) index: a customer's few thousand
        # orders at most are sorted, never the table.
        orders = self._rows(Order.objects.visible_to(user).filter(customer_id=customer.pk))
        if q:
            orders = orders.filter(Q(number__icontains=q) | Q(note__icontains=q))
        if before is not None:
            orders = orders.filter(before.older(self.rank, at="ordered_at"))
        url = _order_url()
        return [self.entry(order, url=url) for order in orders[:limit]]

    def latest(self, user: User, count: int) -> list[Entry]:
        if not user.has_perm("sales.view_order"):
            return []
        orders = self._rows(Order.objects.visible_to(user))
        found = newest_of_active_customers(orders, user, count)
        url = _order_url()
        return [self.entry(order, with_customer=True, url=url) for order in found]

    @staticmethod
    def _rows(orders: QuerySet[Order]) -> QuerySet[Order]:
        return orders.only(*FIELDS).select_related("sold_by").order_by("-ordered_at", "-id")

    def entry(self, order: Order, *, with_customer: bool = False, url: str = "") -> Entry:
        summary = purchase_summary(order.number, order.total)
        if order.status != Order.Status.PAID:
            summary = f"{summary} ({STATUS_LABELS.get(order.status, order.status)})"
        return Entry(
            source="order",
            rank=self.rank,
            id=order.pk,
            kind=Interaction.Kind.PURCHASE,
            kind_label=str(Interaction.Kind.PURCHASE.label),
            occurred_at=order.ordered_at,
            summary=summary,
            body=order.note,
            channel=str(CHANNEL_LABELS.get(order.channel, order.channel)),
            user=order.sold_by,
            customer_id=order.customer_id,
            url=(url or _order_url()).replace(_PK, str(order.pk)),
            customer=order.customer if with_customer else None,
        )


_PK = "2147483647"  # a stand-in id, swapped for each order's


def _order_url() -> str:
    """An order page's address with the stand-in id: one ``reverse`` for a page of entries."""
    return reverse("order_detail", args=[int(_PK)])
