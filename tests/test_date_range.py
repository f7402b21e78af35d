"""Dates outside the business range (1900–2200 A.D.) are refused (issue 20, §1): the API
answers 422 naming the field, a page shows the error on the form, nothing is written."""

import pytest

from samphan.sales.models import Order
from tests.api.calls import assert_names_field, post
from tests.factories import CustomerFactory, ProductFactory
from tests.sales.test_views import order_post

OUT_OF_RANGE = ["9999-12-31T00:00:00+07:00", "0001-01-01T00:00:00+07:00", "1899-12-31T12:00:00Z"]


@pytest.mark.parametrize("ordered_at", OUT_OF_RANGE)
def test_api_refuses_an_order_date_out_of_range(api, ordered_at):
    customer, tea = CustomerFactory(), ProductFactory(sku="TEA")
    body = {
        "customer_id": customer.pk,
        "channel": "online",
        "ordered_at": ordered_at,
        "lines": [{"sku": tea.sku, "quantity": "1"}],
    }
    assert_names_field(post(api, "/api/v1/orders", body), "ordered_at")
    assert not Order.objects.exists()


@pytest.mark.parametrize("birthday", ["0001-01-01", "9999-12-31"])
def test_api_refuses_a_date_out_of_range(api, birthday):
    response = post(api, "/api/v1/customers", {"first_name": "ก้อง", "birthday": birthday})
    assert_names_field(response, "birthday")


def test_api_keeps_dates_in_range(api):
    customer, tea = CustomerFactory(), ProductFactory(sku="TEA")
    body = {
        "customer_id": customer.pk,
        "channel": "online",
        "ordered_at": "2200-12-31T23:00:00+07:00",
        "lines": [{"sku": tea.sku, "quantity": "1"}],
    }
    assert post(api, "/api/v1/orders", body).status_code == 201


@pytest.mark.parametrize("typed", ["31/12/9999 10:00", "01/01/0001 10:00", "0001-01-01 10:00"])
def test_order_page_shows_the_date_error_on_the_form(admin_client, typed):
    customer, tea = CustomerFactory(), ProductFactory()
    data = {**order_post(customer, tea, "1"), "ordered_at": typed}
    response = admin_client.post("/sales/orders/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["ordered_at"]
    assert not Order.objects.exists()
