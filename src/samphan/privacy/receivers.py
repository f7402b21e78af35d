"""Who saw whom, from the apps below (customers/seen.py's signals), connected by the
app's ``ready``."""

from typing import Any

from django.db.models import QuerySet

from samphan.accounts.models import User
from samphan.customers.models import Customer
from samphan.customers.seen import customers_exported, customers_seen
from samphan.privacy.access_record import access_record, accesses_record, export_record


def on_customers_seen(
    sender: Any, *, user: User, kind: str, customer_ids: list[int], **kwargs: Any
) -> None:
    if len(customer_ids) == 1:
        access_record(user=user, customer_id=customer_ids[0], kind=kind)
    else:
        accesses_record(user=user, customer_ids=customer_ids, kind=kind)


def on_customers_exported(
    sender: Any, *, user: User, customers: QuerySet[Customer], what: str, **kwargs: Any
) -> None:
    export_record(user=user, customers=customers, what=what)


def connect() -> None:
    customers_seen.connect(on_customers_seen, dispatch_uid="privacy.customers_seen")
    customers_exported.connect(on_customers_exported, dispatch_uid="privacy.customers_exported")
