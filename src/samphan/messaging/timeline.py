"""Messages on the customer timeline, read from the outbox (see
``samphan.customers.timeline``), each with how its delivery went."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.customers.models import Customer, Interaction
from samphan.customers.timeline import USER_NAME, Cursor, Entry
from samphan.messaging.models import Channel, Message

FIELDS = ("id", "customer", "channel", "subject", "text", "status", "error", "created_at",
          "created_by", "delivered_at",
          *(f"created_by__{name}" for name in USER_NAME))  # fmt: skip
# Labels looked up directly (``get_FOO_display`` rebuilds a dict of the choices a call).
STATUS_LABELS = dict(Message.Status.choices)
CHANNEL_LABELS = dict(Channel.choices)


class Messages:
    rank = 2
    kinds = frozenset({Interaction.Kind.MESSAGE.value})

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
        if not user.has_perm("messaging.view_message"):
            return []
        messages = self._rows(Message.objects.filter(customer_id=customer.pk))
        if q:
            messages = messages.filter(Q(subject__icontains=q) | Q(text__icontains=q))
        if before is not None:
            messages = messages.filter(before.older(self.rank, at="created_at"))
        return [self.entry(message) for message in messages[:limit]]

    def latest(self, user: User, count: int) -> list[Entry]:
        """None: a campaign's thousands of messages would bury every other activity."""
        return []

    @staticmethod
    def _rows(messages: QuerySet[Message]) -> QuerySet[Message]:
        return messages.only(*FIELDS).select_related("created_by").order_by("-created_at", "-id")

    def entry(self, message: Message) -> Entry:
        status = str(STATUS_LABELS.get(message.status, message.status))
        if message.delivered_at:
            status = _("delivered")
        if message.error and message.status != Message.Status.SENT:
            status = f"{status}: {message.error}"
        return Entry(
            source="message",
            rank=self.rank,
            id=message.pk,
            kind=Interaction.Kind.MESSAGE,
            kind_label=str(Interaction.Kind.MESSAGE.label),
            occurred_at=message.created_at,
            summary=message.subject or message.text[:120],
            body=f"{message.text}\n\n{status}" if message.subject else status,
            channel=str(CHANNEL_LABELS.get(message.channel, message.channel)),
            user=message.created_by,
            customer_id=message.customer_id,
        )
