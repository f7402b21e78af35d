import json
from decimal import Decimal

import pytest

from samphan.analytics.models import CustomerActivity
from samphan.sales.models import Order, Product
from tests.factories import CustomerFactory, ProductFactory
from tests.querycount import assert_queries


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def errors(response):
    """Each error's field as a dotted path: schema errors (body.payload.lines.0.quantity) and
    service errors (body, "lines.0.quantity") read the same."""
    return {
        ".".join(str(part) for part in error["loc"] if part not in ("body", "payload"))
        for error in response.json()["detail"]
    }


@pytest.fixture
def tea(db):
    return ProductFactory(sku="TEA", list_price=Decimal("107.00"), unit_cost=Decimal("40.00"))


def test_pos_pushes_an_order_and_a_retry_never_doubles_it(api, tea):
    customer = CustomerFactory()
    body = {
        "customer_id": customer.pk,
        "channel": "online",
        "external_id": "shopee-1001",
        "ordered_at": "2026-11-20T10:30:00+07:00",
        "lines": [{"sku": "TEA", "quantity": "2", "discount": "7.00"}],
    }
    first = post(api, "/api/v1/orders", body)
    assert first.status_code == 201, first.content
    order = first.json()
    assert order["total"] == "207.00" and order["revenue"] == "193.46"
    assert order["lines"][0]["sku"] == "TEA"
    again = post(api, "/api/v1/orders", body)
    assert again.status_code == 200 and again.json()["id"] == order["id"]
    assert Order.objects.count() == 1
    assert CustomerActivity.objects.get(pk=customer.pk).order_count == 1
    assert api.get(f"/api/v1/orders?customer={customer.pk}").json()["count"] == 1


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"sku": "TEA", "quantity": -1}, "lines.0.quantity"),
        ({"sku": "TEA", "quantity": "1e400"}, "lines.0.quantity"),
        ({"sku": "TEA", "quantity": 1, "discount": -1}, "lines.0.discount"),
        ({"sku": "TEA", "quantity": 1, "discount": 500}, "lines.0.discount"),
        ({"sku": "NOPE", "quantity": 1}, "lines.0.product"),
        ({"product_id": 99999, "quantity": 1}, "lines.0.product"),
        ({"quantity": 1}, "lines.0.product_id"),
        ({"sku": "TEA", "quantity": 1, "colour": "red"}, "lines.0.colour"),
    ],
)
def test_bad_order_lines_are_422_naming_the_field_and_write_nothing(api, tea, line, field):
    customer = CustomerFactory()
    body = {"customer_id": customer.pk, "channel": "store", "lines": [line]}
    response = post(api, "/api/v1/orders", body)
    assert response.status_code == 422, response.content
    assert field in errors(response)
    assert not Order.objects.exists() and not CustomerActivity.objects.exists()


def test_unknown_customer_and_channel_are_422(api, tea):
    line = [{"sku": "TEA", "quantity": 1}]
    unknown = post(api, "/api/v1/orders", {"customer_id": 99999, "channel": "store", "lines": line})
    assert unknown.status_code == 422 and "customer_id" in errors(unknown)
    customer = CustomerFactory()
    fax = post(api, "/api/v1/orders", {"customer_id": customer.pk, "channel": "fax", "lines": line})
    assert fax.status_code == 422 and "channel" in errors(fax)
    empty = post(
        api, "/api/v1/orders", {"customer_id": customer.pk, "channel": "store", "lines": []}
    )
    assert empty.status_code == 422 and "lines" in errors(empty)


def test_refund_and_cancel_through_the_api(api, tea):
    customer = CustomerFactory()
    order = post(
        api,
        "/api/v1/orders",
        {"customer_id": customer.pk, "channel": "store", "lines": [{"sku": "TEA", "quantity": 2}]},
    ).json()
    refund = post(
        api, f"/api/v1/orders/{order['id']}/refunds", {"lines": [{"sku": "TEA", "quantity": 1}]}
    )
    assert refund.status_code == 200 and refund.json()["revenue"] == "100.00"
    too_many = post(
        api, f"/api/v1/orders/{order['id']}/refunds", {"lines": [{"sku": "TEA", "quantity": 2}]}
    )
    assert too_many.status_code == 422 and "lines.0.quantity" in errors(too_many)
    cancelled = post(api, f"/api/v1/orders/{order['id']}/status", {"status": "cancelled"})
    assert cancelled.json()["status"] == "cancelled"
    assert not CustomerActivity.objects.filter(pk=customer.pk).exists()
    assert post(api, "/api/v1/orders/99999/status", {"status": "paid"}).status_code == 404


def test_products_create_update_and_bad_input(api):
    created = post(
        api,
        "/api/v1/products",
        {"sku": "MUG-1", "name": "แก้ว", "category": "ของใช้", "list_price": "180.00"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["category"] == "ของใช้"
    pk = created.json()["id"]
    retired = api.patch(
        f"/api/v1/products/{pk}",
        data=json.dumps({"is_active": False}),
        content_type="application/json",
    )
    assert retired.json()["is_active"] is False
    assert api.get("/api/v1/products").json()["count"] == 0
    assert api.get("/api/v1/products?active=false").json()["count"] == 1
    duplicate = post(api, "/api/v1/products", {"sku": "MUG-1", "name": "ซ้ำ"})
    assert duplicate.status_code == 422 and "sku" in errors(duplicate)
    negative = post(api, "/api/v1/products", {"sku": "X", "name": "x", "list_price": "-1"})
    assert negative.status_code == 422 and "list_price" in errors(negative)
    assert Product.objects.count() == 1


def test_order_list_runs_a_fixed_number_of_queries(api, tea):
    def count():
        with assert_queries() as captured:
            assert api.get("/api/v1/orders?page_size=50").status_code == 200
        return len(captured)

    customer = CustomerFactory()
    line = [{"sku": "TEA", "quantity": 1}]
    post(api, "/api/v1/orders", {"customer_id": customer.pk, "channel": "store", "lines": line})
    few = count()
    for _ in range(12):
        post(
            api,
            "/api/v1/orders",
            {"customer_id": CustomerFactory().pk, "channel": "store", "lines": line * 3},
        )
    assert count() == few
