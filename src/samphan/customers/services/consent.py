"""Consent: grants and withdrawals appended as records, and the per-customer bits that
mirror the records in force."""

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from samphan.accounts.models import User
from samphan.core.audit import audit_record, diff, snapshot
from samphan.core.models import AuditEvent
from samphan.customers.models import (
    CONSENT_BIT_POSITIONS,
    ConsentRecord,
    Customer,
    consent_bit,
)

CONSENT_FIELDS = ("channel", "purpose", "status", "source", "wording_version")


@transaction.atomic
def consent_record(
    *,
    actor: User | None,
    customer: Customer,
    channel: str,
    status: str,
    source: str = ConsentRecord.Source.STAFF,
    purpose: str = ConsentRecord.Purpose.MARKETING,
    wording_version: str = "",
    at: dt.datetime | None = None,
) -> ConsentRecord:
    """Append a grant or withdrawal; earlier records stay as the history."""
    record = ConsentRecord(
        customer=customer,
        channel=channel,
        purpose=purpose,
        status=status,
        source=source,
        wording_version=wording_version,
        at=at or timezone.now(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    record.full_clean(exclude=["customer", "recorded_by"])
    record.save()
    _consent_bits_refresh(customer.pk, channel, purpose)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        subject=record,
        customer_id=customer.pk,
        changes=diff({}, snapshot(record, CONSENT_FIELDS)),
    )
    return record


ALL_CONSENT_BITS = sum(1 << position for position in CONSENT_BIT_POSITIONS.values())


def _consent_bits_refresh(customer_id: int, channel: str, purpose: str) -> None:
    # The latest record wins, which need not be the one just written (a back-dated one).
    latest = (
        ConsentRecord.objects.filter(customer_id=customer_id, channel=channel, purpose=purpose)
        .order_by("-at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    bit = consent_bit(channel, purpose)
    bits = Coalesce(F("consent_bits"), Value(0))
    Customer.objects.filter(pk=customer_id).update(
        consent_bits=bits.bitor(bit)
        if latest == ConsentRecord.Status.GRANTED
        else NullIf(bits.bitand(ALL_CONSENT_BITS ^ bit), Value(0))  # none: NULL, as rebuilt
    )


CUSTOMERS, RECORDS = Customer._meta.db_table, ConsentRecord._meta.db_table
# A WHEN for each channel and purpose that has a bit; the pair and its bit are parameters.
BIT_OF = " ".join("WHEN channel = %s AND purpose = %s THEN %s" for _pair in CONSENT_BIT_POSITIONS)
BIT_PARAMS = [v for c, p in CONSENT_BIT_POSITIONS for v in (c, p, consent_bit(c, p))]
# Each customer's granted bits: the sum of the bits of the latest record per channel and
# purpose, where that record is a grant. Parameters: BIT_PARAMS, then the granted status.
GRANTED = (
    f"SELECT customer_id, SUM(CASE {BIT_OF} ELSE 0 END) AS bits FROM ("  # noqa: S608 - joins module constants
    "  SELECT customer_id, channel, purpose, status, ROW_NUMBER() OVER ("
    "   PARTITION BY customer_id, channel, purpose ORDER BY at DESC, id DESC) AS n"
    f"  FROM {RECORDS}) latest"
    " WHERE n = 1 AND status = %s GROUP BY customer_id"
)
CLEAR_UNGRANTED = (
    f"UPDATE {CUSTOMERS} SET consent_bits = NULL WHERE consent_bits IS NOT NULL"  # noqa: S608 - joins module constants
    f" AND id NOT IN (SELECT customer_id FROM ({GRANTED}) g)"
)
SET_GRANTED = (
    f"UPDATE {CUSTOMERS} SET consent_bits = granted.bits FROM ({GRANTED}) granted"  # noqa: S608 - joins module constants
    f" WHERE {CUSTOMERS}.id = granted.customer_id"
    f" AND {CUSTOMERS}.consent_bits IS DISTINCT FROM granted.bits"
)


@transaction.atomic
def consents_rebuild() -> int:
    """``Customer.consent_bits`` from the records, in set-based statements that write only
    the customers whose bits are wrong (after a bulk load; a check of the kept ones writes
    nothing). How many customers were corrected."""
    params: list[Any] = [*BIT_PARAMS, ConsentRecord.Status.GRANTED]
    with connection.cursor() as cursor:
        # Rewriting every row would cost PostgreSQL a new version of each, in every index.
        cursor.execute(CLEAR_UNGRANTED, params)
        cleared = cursor.rowcount
        cursor.execute(SET_GRANTED, params)
        return int(cleared + cursor.rowcount)
