"""The addresses the menu of every page links to, reversed once.

The menu (``templates/base.html``) links to some twenty pages, and a ``{% url %}`` costs
about as much as the rest of a small page's menu; the addresses are the same for every
request under one script prefix, so they are reversed once per prefix and kept.
Nothing personal is kept: only the site's own paths.
"""

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

NAMES = (
    "home", "customer_list", "customer_create", "customer_import", "frontdesk", "work_next",
    "lead_list", "board", "order_list", "top_customers", "outbox", "segment_list",
    "subject_request_list", "product_list", "notifications", "notification_badge",
    "preferences", "logout", "language_switch", "frontdesk_alerts_feed", "support_inbox",
    "loyalty_rewards",
)  # fmt: skip

_by_prefix: dict[str, dict[str, str]] = {}


def nav_urls() -> dict[str, str]:
    prefix = get_script_prefix()
    found = _by_prefix.get(prefix)
    if found is None:
        found = {name: reverse(name) for name in NAMES}
        # A customer's page is this and their id and a slash: lists link many, reversed once.
        found["customer_page"] = reverse("customer_detail", args=[0]).removesuffix("0/")
        _by_prefix[prefix] = found
    return found


def nav(request: HttpRequest) -> dict[str, dict[str, str]]:
    """The context processor: ``{{ nav.home }}`` and so on; a customer's page is
    ``{{ nav.customer_page }}{{ id }}/``."""
    return {"nav": nav_urls()}
