"""Points on the customer timeline (see ``samphan.customers.timeline``): each change of
points that is not an order's own (the order shows on the timeline already): rewards
redeemed and vouchers cancelled, referral rewards, expiry, and changes by staff."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.customers.models import Customer, Interaction
from samphan.customers.timeline import Cursor, Entry
from samphan.loyalty.models import PointsEntry

FIELDS = ("id", "customer", "kind", "cause", "points", "note", "at", "created_by")
ORDERS_OWN = (PointsEntry.Cause.ORDER, PointsEntry.Cause.REFUND)
KIND_LABELS = dict(PointsEntry.Kind.choices)
CAUSE_LABELS = dict(PointsEntry.Cause.choices)


class Points:
    rank = 4
    kinds = frozenset({Interaction.Kind.POINTS.value})

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
        if not user.has_perm("loyalty.view_pointsentry") or q:  # nothing here to search
            return []
        rows = self._rows(PointsEntry.objects.filter(customer_id=customer.pk))
        if before is not None:
            rows = rows.filter(before.older(self.rank, at="at"))
        return [self.entry(row) for row in rows[:limit]]

    def latest(self, user: User, count: int) -> list[Entry]:
        """None: a points change is news on its customer's page, not in the shop's feed."""
        return []

    @staticmethod
    def _rows(rows: QuerySet[PointsEntry]) -> QuerySet[PointsEntry]:
        # Through the (customer, -at) index: a member's rows, never the table's.
        return (
            rows.exclude(cause__in=ORDERS_OWN)
            .only(*FIELDS)
            .select_related("created_by")
            .order_by("-at", "-id")
        )

    def entry(self, row: PointsEntry) -> Entry:
        sign = "+" if row.points > 0 else ""
        summary = _("%(points)s points: %(what)s") % {
            "points": f"{sign}{row.points:,}",
            "what": f"{KIND_LABELS.get(row.kind, row.kind)} ({CAUSE_LABELS.get(row.cause, row.cause)})",
        }
        return Entry(
            source="points",
            rank=self.rank,
            id=row.pk,
            kind=Interaction.Kind.POINTS,
            kind_label=str(Interaction.Kind.POINTS.label),
            occurred_at=row.at,
            summary=summary,
            body=row.note if row.cause != PointsEntry.Cause.REFERRAL else "",
            channel="",
            user=row.created_by,
            customer_id=row.customer_id,
        )
