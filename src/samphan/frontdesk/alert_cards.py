"""The arrival cards the screens poll for, rendered once per process for everyone who
sees the same open alerts.

When an alert arrives every screen polling that desk (fifty in the load test) asks for the
new cards within a second, and rendering twenty cards cost each request about 5 ms of
CPU. The cards hold nothing of the user who asks: their alerts are the open-alerts state
(the ids, which ``alerts_open_ids`` already chose by what the user may see) and the
words depend on the language and the time zone. So the HTML is kept per state, size,
language and zone for a minute (a renamed customer or a photo's signed address is at most
that old); the request's own CSRF token is put in as it is served.
"""

import time

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from samphan.core.http import Request
from samphan.frontdesk.models import Alert

KEEP_SECONDS = 60.0
KEEP_AT_MOST = 64  # entries per process: a state lives until the next arrival or greeting
TRAY_CARDS = 3  # the tray in the corner of every page shows at most these
# Stands for the CSRF token in the kept HTML: no token (letters and digits) contains it.
_CSRF_PLACE = "@@csrf-token@@"

_kept: dict[tuple[str, str, str, str], tuple[float, str]] = {}


def cards_html(request: Request, ids: list[int], state: str, size: str) -> str:
    """The cards of the open alerts ``ids`` (newest first), whose state is ``state``."""
    key = (state, size, get_language() or "", timezone.get_current_timezone_name())
    now = time.monotonic()
    found = _kept.get(key)
    if found is None or now - found[0] > KEEP_SECONDS:
        if len(_kept) >= KEEP_AT_MOST:
            _kept.clear()
        found = _kept[key] = (now, _render(ids, size))
    return found[1].replace(_CSRF_PLACE, get_token(request))


def forget() -> None:
    """Drop what is kept (tests: a rolled-back alert's id comes back with other data)."""
    _kept.clear()


def _render(ids: list[int], size: str) -> str:
    by_id = Alert.objects.select_related("customer").in_bulk(ids)
    alerts = [by_id[pk] for pk in ids if pk in by_id]
    context: dict[str, object] = {
        "alerts": alerts,
        "size": size,
        "csrf_token": _CSRF_PLACE,
        # Where a greeting sent without JavaScript returns: the alerts screen.
        "next": reverse("frontdesk_alerts"),
    }
    if size == "tray":
        # A busy desk's twenty cards would cover every page: the newest few (one on a
        # phone, where three would hide the page's top), and a count linking to the
        # alerts screen that shows them all; CSS picks the phone's or the wider count.
        context |= {
            "alerts": alerts[:TRAY_CARDS],
            "more": max(len(alerts) - TRAY_CARDS, 0),
            "more_on_phone": max(len(alerts) - 1, 0),
        }
    return render_to_string("frontdesk/_alert_cards.html", context)
