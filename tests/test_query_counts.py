"""Every page and every API operation runs an exact, pinned number of queries (issue 19, §7).

Each request is made over the small demo shop the Thai crawl builds (tests/
test_thai_pages.py: 200 customers with their orders, deals, leads, quotes, messages …),
so every list holds many rows of each related kind and an N+1 would show as a changed
count. A page is asked for twice and the second answer counted: the first may fill a
per-process cache (the shop's profile, the columns of paid orders, a snapshot) or record
the API token's use, which happens once a minute. A write is made once, after a read that
records the token's use, on a record of its own when it consumes one (see
``tests/query_pins_writes.py``).

The pins are in ``tests/query_pins.py`` (pages and reads) and ``tests/query_pins_writes.py``
(every POST, PATCH, PUT and DELETE, with its request). A new URL pattern or API operation
fails ``test_every_page_and_operation_is_pinned`` until it has a pin there (or a reason in
``NOT_PAGES`` of the crawl). When a count changes on purpose, change its pin: the failure
lists every statement the request ran.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client, TestCase
from django.utils import translation

from samphan.analytics.rfm import rfm_rebuild
from samphan.api.main import api as samphan_api
from tests.conftest import DEMO_MOMENT, token_client
from tests.query_pins import ACCEPTED, PAGES, READS, Pin, read_url
from tests.query_pins_writes import WRITES
from tests.querycount import assert_queries
from tests.test_thai_pages import PAGES as CRAWLED
from tests.test_thai_pages import Shop, page_url, shop_build


def api_operations() -> list[str]:
    paths = samphan_api.get_openapi_schema()["paths"]
    return sorted(
        f"{method.upper()} {path}" for path, methods in paths.items() for method in methods
    )


def api_reads() -> list[str]:
    return [operation for operation in api_operations() if operation.startswith("GET ")]


def api_writes() -> list[str]:
    return [operation for operation in api_operations() if not operation.startswith("GET ")]


def pages() -> list[str]:
    return [page for page in CRAWLED if "?" not in page and "#" not in page]


# The shop is built and read at one moment: which lists have rows (today's expected
# visitors, the overdue regulars, quotes still valid) follows the day and the hour in
# Bangkok, and an empty list skips the look-ups of its rows, so a pin taken one evening
# failed after midnight. The moment the pins were taken: tests.conftest.DEMO_MOMENT.


@pytest.fixture(scope="module", autouse=True)
def fixed_clock() -> Iterator[None]:
    with time_machine.travel(DEMO_MOMENT, tick=True):
        yield


@pytest.fixture(scope="module")
def shop(fixed_clock: None, django_db_setup: Any, django_db_blocker: Any) -> Iterator[Shop]:
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


def test_every_page_and_operation_is_pinned():
    assert sorted(PAGES) == sorted(pages()), "pin the new page (or drop the stale pin)"
    assert sorted(READS) == api_reads(), "pin the new API read (or drop the stale pin)"
    assert sorted(WRITES) == api_writes(), "pin the new API write (or drop the stale pin)"


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
    pin = WRITES[write]
    client = token_client(shop.admin)
    given = pin.prepare(shop, client) if pin.prepare else {}
    url = read_url(write, shop, given)
    client.get("/api/v1/shop")  # the token's use is recorded once a minute: not counted
    send = getattr(client, method.lower())
    body = {} if pin.body is None else {"data": json.dumps(pin.body(shop))}
    with assert_queries(pinned(pin.pin)):
        if pin.files is not None:
            response = send(url, data=pin.files(shop))
        else:
            response = send(url, content_type="application/json", **body)
    assert response.status_code == pin.status, f"{write} ({url}): {response.content!r}"
