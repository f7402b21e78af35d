"""The lifecycle stage a purchase sets: whoever buys is a customer.

A lead or prospect becomes a customer with a paid order, and a customer staff had marked
inactive is one again when they buy; a refund or a cancelled order changes nothing (the
customer did buy). Nothing moves a customer back to inactive on its own: staff do, when
they judge it (docs/sales.md).

Called by the sales services inside the transaction that makes the orders paid, for one
order or a whole batch alike: one read of the candidates (locked on PostgreSQL), one
UPDATE, then the audit rows and the timeline entries each as one bulk insert. Customers
who are customers already cost nothing here (the batch knows their stage from the read it
makes anyway).
"""

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from samphan.accounts.models import User
from samphan.core import sql
from samphan.core.bulk import insert_rows
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer, Interaction

# The stages a purchase ends; a customer is one already.
BECOMES_CUSTOMER = (Customer.Stage.LEAD.value, Customer.Stage.PROSPECT.value,
                    Customer.Stage.INACTIVE.value)  # fmt: skip
TABLE = Customer._meta.db_table
STAGE_MARKS = sql.placeholders(len(BECOMES_CUSTOMER))
# {ids} is a %s for each customer id (``sql.placeholders``); {lock} is ``sql.for_update()``.
SELECT_CANDIDATES = (
    f"SELECT id, stage FROM {TABLE} WHERE id IN ({{ids}}) "  # noqa: S608 - joins module constants
    f"AND stage IN ({STAGE_MARKS}){{lock}}"
)
PROMOTE = (
    f"UPDATE {TABLE} SET stage = %s, updated_at = %s "  # noqa: S608 - joins module constants
    f"WHERE id IN ({{ids}}) AND stage IN ({STAGE_MARKS})"
)
AUDIT_COLUMNS = ["at", "actor_id", "action", "subject_type", "subject_id", "customer_id", "changes"]
TIMELINE_COLUMNS = ["customer_id", "kind", "occurred_at", "user_id", "channel", "summary", "body",
                    "created_at"]  # fmt: skip


@dataclass(frozen=True)
class Purchase:
    """A paid order that may make its customer one: whose, which (its number), when."""

    customer_id: int
    number: str
    at: dt.datetime


def may_become_customer(stage: str) -> bool:
    return stage in BECOMES_CUSTOMER


def customers_promote(*, actor: User | None, purchases: Iterable[Purchase]) -> dict[int, str]:
    """Make the buyers among ``purchases`` who are not customers yet customers, each with
    an audit row and a timeline entry naming their earliest order of these. Returns the
    promoted customers' stages before, by id."""
    first: dict[int, Purchase] = {}
    for purchase in purchases:
        known = first.get(purchase.customer_id)
        if known is None or (purchase.at, purchase.number) < (known.at, known.number):
            first[purchase.customer_id] = purchase
    if not first:
        return {}
    before = _lock_candidates(sorted(first))
    if not before:
        return {}
    now = timezone.now()
    _update(sorted(before), now)
    actor_id = actor.pk if actor is not None and actor.pk else None
    insert_rows(
        AuditEvent,
        AUDIT_COLUMNS,
        [_audit_row(first[pk], stage, actor_id, now) for pk, stage in before.items()],
    )
    insert_rows(
        Interaction,
        TIMELINE_COLUMNS,
        [_timeline_row(first[pk], actor_id, now) for pk in before],
    )
    return before


def _lock_candidates(customer_ids: list[int]) -> dict[int, str]:
    """The stage of each of these customers who may become one, their rows locked on
    PostgreSQL (SQLite's writer holds the whole database already): a purchase racing a
    staff edit reads the stage the edit left. Plain SQL, as the UPDATE below: a first
    purchase runs them on a POS's path, where building querysets cost more than the
    statements."""
    statement = SELECT_CANDIDATES.format(
        ids=sql.placeholders(len(customer_ids)), lock=sql.for_update()
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*customer_ids, *BECOMES_CUSTOMER])
        return dict(cursor.fetchall())


def _update(customer_ids: list[int], now: dt.datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            PROMOTE.format(ids=sql.placeholders(len(customer_ids))),
            [
                Customer.Stage.CUSTOMER.value,
                connection.ops.adapt_datetimefield_value(now),
                *customer_ids,
                *BECOMES_CUSTOMER,
            ],
        )


def _audit_row(
    purchase: Purchase, stage: str, actor_id: int | None, now: dt.datetime
) -> tuple[Any, ...]:
    changes = {"stage": [stage, Customer.Stage.CUSTOMER.value], "order": [None, purchase.number]}
    return (
        connection.ops.adapt_datetimefield_value(now), actor_id, AuditEvent.Action.UPDATE,
        "customers.customer", purchase.customer_id, purchase.customer_id, json.dumps(changes),
    )  # fmt: skip


def promotion_summary(number: str) -> str:
    return _("Became a customer with order %(number)s") % {"number": number}


def _timeline_row(purchase: Purchase, actor_id: int | None, now: dt.datetime) -> tuple[Any, ...]:
    adapt = connection.ops.adapt_datetimefield_value
    return (
        purchase.customer_id, Interaction.Kind.STAGE, adapt(purchase.at), actor_id, "",
        promotion_summary(purchase.number), "", adapt(now),
    )  # fmt: skip
