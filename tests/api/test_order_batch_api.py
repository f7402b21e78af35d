"""POST /api/v1/orders/batch: a POS pushes many orders at once, retries are harmless."""

from decimal import Decimal

import pytest

from samphan.accounts.models import Role
from samphan.analytics.models import CustomerActivity
from samphan.sales.models import Order, OrderLine, SuggestionState
from tests.api.calls import assert_names_field, post
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory
from tests.querycount import assert_queries

URL = "/api/v1/orders/batch"


@pytest.fixture
def tea(db):
    return ProductFactory(sku="TEA", list_price=Decimal("107.00"), unit_cost=Decimal("40.00"))


def orders(customer, count, *, start=0):
    return [
        {
            "customer_id": customer.pk,
            "channel": "store",
            "external_id": f"pos-{start + index}",
            "ordered_at": "2026-11-20T10:30:00+07:00",
            "lines": [{"sku": "TEA", "quantity": 1 + index % 3}],
        }
        for index in range(count)
    ]


def test_a_batch_is_recorded_and_a_retry_skips_it(api, tea):
    customer = CustomerFactory()
    first = post(api, URL, {"orders": orders(customer, 3)})
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["created"], body["skipped"], body["lines"], body["errors"]) == (3, 0, 3, {})
    assert [item["status"] for item in body["orders"]] == ["created"] * 3
    assert body["orders"][0]["number"].startswith("SO-2026-")

    again = post(api, URL, {"orders": orders(customer, 4)}).json()
    assert (again["created"], again["skipped"]) == (1, 3)
    assert again["orders"][0] == {**body["orders"][0], "status": "skipped"}
    assert Order.objects.count() == 4
    assert CustomerActivity.objects.get(pk=customer.pk).order_count == 4


def test_one_bad_order_refuses_the_batch_naming_it(api, tea):
    customer = CustomerFactory()
    batch = orders(customer, 3)
    batch[1]["lines"][0]["sku"] = "NOPE"
    batch[2]["customer_id"] = 999_999
    response = post(api, URL, {"orders": batch})
    assert_names_field(response, "orders.1.lines.0.product")
    assert_names_field(response, "orders.2.customer")
    assert not Order.objects.exists() and not CustomerActivity.objects.exists()


def test_partial_writes_the_good_orders(api, tea):
    customer = CustomerFactory()
    batch = orders(customer, 3)
    batch[1]["lines"][0]["discount"] = "999"
    response = post(api, URL, {"orders": batch, "partial": True})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] == 2 and list(body["errors"]) == ["1"]
    assert "lines.0.discount" in body["errors"]["1"]
    assert [item["index"] for item in body["orders"]] == [0, 2]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda batch: batch[0]["lines"][0].pop("sku"), "orders.0.lines.0.product_id"),
        (lambda batch: batch[0]["lines"][0].update(quantity=-1), "quantity"),
        (lambda batch: batch.clear(), "orders"),
    ],
)
def test_malformed_requests_are_refused_whole(api, tea, change, field):
    batch = orders(CustomerFactory(), 2)
    change(batch)
    assert_names_field(post(api, URL, {"orders": batch, "partial": True}), field)
    assert not Order.objects.exists()


def test_at_most_a_thousand_orders(api, tea):
    response = post(api, URL, {"orders": orders(CustomerFactory(), 1_001)})
    assert_names_field(response, "orders")


def test_sales_may_only_send_orders_for_customers_they_see(make_user, tea):
    seller = make_user(Role.SALES, username="seller")
    theirs = CustomerFactory(owner=seller)
    others = CustomerFactory()
    batch = orders(theirs, 1) + orders(others, 1, start=1)
    response = post(token_client(seller), URL, {"orders": batch})
    assert_names_field(response, "orders.1.customer")
    assert not Order.objects.exists()


def test_queries_do_not_grow_with_the_batch(api, tea):
    customers = [CustomerFactory() for _ in range(5)]

    def count(size, start):
        batch = [order for customer in customers for order in orders(customer, size, start=start)]
        for index, order in enumerate(batch):
            order["external_id"] = f"q-{start}-{index}"
        with assert_queries() as queries:
            assert post(api, URL, {"orders": batch}).status_code == 200
        return len(queries)

    # The similar-products rebuild a batch may make due runs on the worker; not counted here.
    SuggestionState.objects.create(pk=1, due_after_order=10**12)
    count(1, 0)  # the year's number sequence is created on the first batch
    # At most as many (PostgreSQL's COPY, used for larger batches, is not even logged).
    assert count(40, 1_000) <= count(1, 500)
    assert OrderLine.objects.count() == 5 * 42
