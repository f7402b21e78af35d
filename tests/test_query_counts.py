"""Every page and every API read runs an exact, pinned number of queries (issue 19, §7).

Each request is made over the small demo shop the Thai crawl builds (tests/
test_thai_pages.py: 200 customers with their orders, deals, leads, quotes, messages …),
so every list holds many rows of each related kind and an N+1 would show as a changed
count. A page is asked for twice and the second answer counted: the first may fill a
per-process cache (the shop's profile, the columns of paid orders, a snapshot) or record
the API token's use, which happens once a minute.

A new URL pattern or API operation fails ``test_every_page_and_read_is_pinned`` until it
has a pin here (or a reason in ``NOT_PAGES`` of the crawl). When a count changes on
purpose, change its pin: the failure lists every statement the request ran.
"""

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client, TestCase
from django.utils import translation

from samphan.analytics.rfm import rfm_rebuild
from samphan.api.main import api as samphan_api
from samphan.customers.models import Interaction, Tag
from tests.conftest import token_client
from tests.querycount import assert_queries
from tests.test_thai_pages import PAGES as CRAWLED
from tests.test_thai_pages import Shop, page_url, shop_build

# A pin is a number, or one per database where the two differ.
Pin = int | dict[str, int]

# The GET of each page the crawl reads (its variants with a query string left out).
PAGES: dict[str, Pin] = {
    "board": 9,
    "campaign_detail": 8,
    "campaign_edit": 5,
    "campaign_list": 4,
    "campaign_new": 3,
    "campaign_preview": 8,
    "contact_point_add": 7,
    "contact_point_edit": 7,
    "customer_cadence": 6,
    "customer_create": 7,
    "customer_detail": 14,
    "customer_edit": 12,
    "customer_list": 8,
    "customer_lists": 5,
    "customer_options": 2,
    "customer_points": 6,
    "customer_purchases": 5,
    "customer_reach": 12,
    "customer_suggestions": 5,
    "deal_create": 8,
    "deal_detail": 12,
    "deal_edit": 13,
    "deal_list": 7,
    "forecast_panel": 6,
    "frontdesk": 2,
    "frontdesk_alerts": 4,
    "frontdesk_alerts_feed": 3,
    "frontdesk_expected": 4,
    "frontdesk_rule_create": 4,
    "frontdesk_rule_edit": 5,
    "frontdesk_rules": 3,
    "frontdesk_sign_up_poster": 3,
    "funnel": 11,
    "home": 8,
    "lead_convert": 6,
    "lead_create": 4,
    "lead_detail": 7,
    "lead_list": 5,
    "login": 2,
    "member_sign_up": 4,
    "message_new": 7,
    "message_preferences": 5,
    "notification_badge": 3,
    "notifications": 4,
    "order_create": 6,
    "order_detail": 5,
    "order_list": 4,
    "outbox": 5,
    "password_change": 2,
    "password_change_done": 2,
    "password_reset": 2,
    "password_reset_complete": 2,
    "password_reset_done": 2,
    "pipeline_board": 9,
    "preferences": 4,
    "product_create": 3,
    "product_edit": 4,
    "product_import": 2,
    "product_list": 5,
    "productivity": 8,
    "public_lead_form": 3,
    "quote_create": 11,
    "quote_detail": 8,
    "quote_edit": 13,
    "quote_list": 6,
    "regulars": 5,
    "report": 6,
    "segment_detail": 7,
    "segment_edit": 8,
    "segment_list": 4,
    "segment_new": 7,
    "segments": 5,
    "shop_settings": 4,
    "sms_length": 2,
    "top_customers": 4,
    "unsubscribe": 4,
    "user_create": 3,
    "user_edit": 5,
    "user_list": 5,
    "work_next": 7,
}

# Each read of the API, as "GET <path>" in the OpenAPI schema.
READS: dict[str, Pin] = {
    "GET /api/v1/alert-rules": 3,
    "GET /api/v1/alert-rules/{rule_id}": 2,
    "GET /api/v1/analytics/customers/{customer_id}/cadence": 3,
    "GET /api/v1/analytics/customers/{customer_id}/rfm": 3,
    "GET /api/v1/analytics/expected-today": 3,
    "GET /api/v1/analytics/forecast": 3,
    "GET /api/v1/analytics/funnel": 9,
    "GET /api/v1/analytics/overdue": 3,
    "GET /api/v1/analytics/rfm": 4,
    "GET /api/v1/analytics/share": {"sqlite": 5, "postgresql": 2},
    "GET /api/v1/analytics/top-customers": {"sqlite": 6, "postgresql": 3},
    "GET /api/v1/analytics/top-groups": {"sqlite": 6, "postgresql": 3},
    "GET /api/v1/campaigns": 4,
    "GET /api/v1/campaigns/{campaign_id}": 3,
    "GET /api/v1/campaigns/{campaign_id}/results": 4,
    "GET /api/v1/companies": 7,
    "GET /api/v1/companies/{company_id}": 5,
    "GET /api/v1/contact-points/{point_id}": 2,
    "GET /api/v1/customers": 7,
    "GET /api/v1/customers/{customer_id}": 5,
    "GET /api/v1/customers/{customer_id}/consents": 6,
    "GET /api/v1/customers/{customer_id}/contact-points": 4,
    "GET /api/v1/customers/{customer_id}/interactions": 4,
    "GET /api/v1/customers/{customer_id}/points": 5,
    "GET /api/v1/customers/{customer_id}/suggestions": 4,
    "GET /api/v1/customers/{customer_id}/timeline": 5,
    "GET /api/v1/deals": 5,
    "GET /api/v1/deals/{deal_id}": 5,
    "GET /api/v1/frontdesk/alerts": 2,
    "GET /api/v1/frontdesk/expected-today": 3,
    "GET /api/v1/interactions/{interaction_id}": 2,
    "GET /api/v1/leads": 3,
    "GET /api/v1/leads/{lead_id}": 2,
    "GET /api/v1/messages": 3,
    "GET /api/v1/messages/{message_id}": 2,
    "GET /api/v1/orders": 5,
    "GET /api/v1/orders/{order_id}": 4,
    "GET /api/v1/pipelines": 3,
    "GET /api/v1/products": 3,
    "GET /api/v1/products/{product_id}": 2,
    "GET /api/v1/products/{product_id}/also-bought": 4,
    "GET /api/v1/quotes": 5,
    "GET /api/v1/quotes/{quote_id}": 4,
    "GET /api/v1/quotes/{quote_id}/pdf": 6,
    "GET /api/v1/reports/productivity": 6,
    "GET /api/v1/segments": 3,
    "GET /api/v1/segments/fields": 6,
    "GET /api/v1/segments/{segment_id}": 2,
    "GET /api/v1/segments/{segment_id}/count": 4,
    "GET /api/v1/segments/{segment_id}/customers": 5,
    "GET /api/v1/shop": 2,
    "GET /api/v1/tags": 3,
    "GET /api/v1/tags/{tag_id}": 2,
    "GET /api/v1/tokens": 2,
    "GET /api/v1/users": 4,
    "GET /api/v1/users/{user_id}": 3,
}

# The record each path parameter of the API is given.
PARAMETERS: dict[str, Callable[[Shop], object]] = {
    "customer_id": lambda shop: shop.customer.pk,
    "company_id": lambda shop: shop.company.pk,
    "point_id": lambda shop: shop.contact_point.pk,
    "interaction_id": lambda shop: Interaction.objects.filter(customer=shop.customer)[0].pk,
    "tag_id": lambda shop: Tag.objects.order_by("pk")[0].pk,
    "deal_id": lambda shop: shop.deal.pk,
    "lead_id": lambda shop: shop.lead.pk,
    "order_id": lambda shop: shop.order.pk,
    "product_id": lambda shop: shop.product.pk,
    "quote_id": lambda shop: shop.quote.pk,
    "rule_id": lambda shop: shop.rule.pk,
    "message_id": lambda shop: shop.message.pk,
    "segment_id": lambda shop: shop.segment.pk,
    "campaign_id": lambda shop: shop.campaign.pk,
    "user_id": lambda shop: shop.admin.pk,
}


# Reads that need a query string to answer 200.
READ_QUERIES = {
    "GET /api/v1/analytics/top-groups": "group=tag",
    "GET /api/v1/reports/productivity": "since=2026-01-01&until=2026-12-31",
}
# Reads that answer 202 while the worker computes (the forecast); every other answers 200.
ACCEPTED = {"GET /api/v1/analytics/forecast"}


def read_url(read: str, shop: Shop) -> str:
    path = read.partition(" ")[2]
    for name, record in PARAMETERS.items():
        if "{" + name + "}" in path:
            path = path.replace("{" + name + "}", str(record(shop)))
    query = READ_QUERIES.get(read, "")
    return f"{path}?{query}" if query else path


# The main writes of the API, each with a body over the shop's records, and its pin.
BODIES: dict[str, Callable[[Shop], dict[str, Any]]] = {
    "POST /api/v1/customers": lambda shop: {
        "first_name": "สมหญิง",
        "tags": ["ลูกค้าประจำ"],
        "contact_points": [{"kind": "mobile", "value": "089-999-0001", "is_preferred": True}],
    },
    "PATCH /api/v1/customers/{customer_id}": lambda shop: {"nickname": "หญิง", "tier": "silver"},
    "POST /api/v1/customers/{customer_id}/interactions": lambda shop: {
        "kind": "call",
        "summary": "โทรนัด",
    },
    "POST /api/v1/orders": lambda shop: {
        "customer_id": shop.customer.pk,
        "channel": "store",
        "lines": [
            {"sku": shop.product.sku, "quantity": 2},
            {"sku": shop.product.sku, "quantity": 1},
        ],
    },
    "POST /api/v1/deals": lambda shop: {"title": "POS 3 สาขา", "customer_id": shop.customer.pk},
    "POST /api/v1/leads": lambda shop: {"first_name": "ก้อง", "phone": "0899990002"},
    "POST /api/v1/frontdesk/check-ins": lambda shop: {"customer_id": shop.customer.pk},
}
WRITES: dict[str, Pin] = {
    "PATCH /api/v1/customers/{customer_id}": 22,
    "POST /api/v1/customers": 30,
    "POST /api/v1/customers/{customer_id}/interactions": 6,
    "POST /api/v1/deals": 12,
    "POST /api/v1/frontdesk/check-ins": 14,
    "POST /api/v1/leads": 33,
    "POST /api/v1/orders": {"sqlite": 28, "postgresql": 26},
}


def api_operations() -> list[str]:
    paths = samphan_api.get_openapi_schema()["paths"]
    return sorted(
        f"{method.upper()} {path}" for path, methods in paths.items() for method in methods
    )


def api_reads() -> list[str]:
    return [operation for operation in api_operations() if operation.startswith("GET ")]


def pages() -> list[str]:
    return [page for page in CRAWLED if "?" not in page and "#" not in page]


@pytest.fixture(scope="module")
def shop(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Shop]:
    """The crawl's shop with its customers scored (RFM), built once for the module in a
    transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True), translation.override("th"):
            built = shop_build()
            rfm_rebuild()
        yield built
        transaction.set_rollback(True)


def pinned(pin: Pin) -> int:
    return pin if isinstance(pin, int) else pin[connection.vendor]


def test_every_page_and_read_is_pinned():
    assert sorted(PAGES) == sorted(pages()), "pin the new page (or drop the stale pin)"
    assert sorted(READS) == api_reads(), "pin the new API read (or drop the stale pin)"
    assert set(WRITES) == set(BODIES) <= set(api_operations()), "a write pinned is gone"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_queries(page, shop, db):
    url = page_url(page, shop)
    client = Client()
    client.force_login(shop.admin)
    client.get(url)
    with assert_queries(pinned(PAGES[page])):
        response = client.get(url)
    assert response.status_code in (200, 302), f"{page} ({url}): {response.status_code}"


@pytest.mark.parametrize("read", sorted(READS))
def test_api_read_queries(read, shop, db):
    url = read_url(read, shop)
    client = token_client(shop.admin)
    client.get(url)
    with assert_queries(pinned(READS[read])):
        response = client.get(url)
    expected = 202 if read in ACCEPTED else 200
    assert response.status_code == expected, f"{read} ({url}): {response.status_code}"


@pytest.mark.parametrize("write", sorted(WRITES))
def test_api_write_queries(write, shop, db):
    method, _, _ = write.partition(" ")
    url = read_url(write, shop)
    client = token_client(shop.admin)
    client.get("/api/v1/shop")  # the token's use is recorded once a minute: not counted
    send = getattr(client, method.lower())
    body = json.dumps(BODIES[write](shop))
    with assert_queries(pinned(WRITES[write])):
        response = send(url, data=body, content_type="application/json")
    assert response.status_code in (200, 201), f"{write}: {response.content}"
