"""Parsing helpers shared by the sales pages: malformed parameters are ignored, not errors."""

import datetime as dt

from samphan.core import dates
from samphan.core.http import Request
from samphan.customers.access import customer_for_user
from samphan.customers.models import Customer


def number_param(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def date_param(raw: str) -> dt.date | None:
    """A filter's day as typed in either era (``23/05/2569``, ``2026-05-23``); None if not a day."""
    try:
        return dates.parse_date_text(raw)
    except dates.DateTextError:
        return None


def panel_customer(request: Request, pk: int) -> Customer | None:
    """The customer of a sales panel on their page: None when the user may not see orders
    (the panel stays empty), 404 when they may not see the customer."""
    if not request.user.has_perm("sales.view_order"):
        return None
    return customer_for_user(request.user, pk)
