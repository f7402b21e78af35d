"""Which customers a sales report covers, as apps above analytics define them.

Analytics imports no app above it; marketing registers its saved segments here from its
``AppConfig.ready`` and the report form offers them (a register, as
``customers.panels`` is for the customer page). One filter at a time: the form has one
"Customers" field."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from samphan.accounts.models import User
from samphan.customers.models import Customer


@dataclass(frozen=True)
class ReportFilter:
    # What this user may pick, in the order offered (a queryset of the app's model).
    choices: Callable[[Any], QuerySet[Any]]
    # The chosen one's customers this user may see.
    customers: Callable[[Any, Any], QuerySet[Customer]]


REPORT_FILTERS: list[ReportFilter] = []


def report_filter_register(report_filter: ReportFilter) -> None:
    REPORT_FILTERS[:] = [report_filter]


def report_filter() -> ReportFilter | None:
    return REPORT_FILTERS[0] if REPORT_FILTERS else None


def report_customers(user: User, chosen: Model | None) -> QuerySet[Customer] | None:
    """The customers a report covers: those of the chosen filter, or None (everyone)."""
    registered = report_filter()
    if chosen is None or registered is None:
        return None
    return registered.customers(user, chosen).order_by()
