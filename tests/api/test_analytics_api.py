import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.analytics.test_rollups import at, buy, visit
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def sales():
    product = ProductFactory(list_price=D("107.00"), unit_cost=D("60.00"))
    customers = [CustomerFactory() for _ in range(4)]
    for units, customer in enumerate(customers, start=1):
        buy(customer, product, timezone.now() - dt.timedelta(minutes=1), quantity=units)
    return customers


def test_top_customers_and_share(api, sales):
    response = api.get("/api/v1/analytics/top-customers", {"period": "this_month", "limit": 2})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["customer_id"] for item in body["items"]] == [sales[3].pk, sales[2].pk]
    assert body["items"][0]["share"] == 0.4  # 4 of 1 + 2 + 3 + 4 units
    assert body["items"][1]["cumulative_share"] == 0.7
    share = api.get("/api/v1/analytics/share", {"period": "this_month", "by": "profit"}).json()
    assert share["customers"] == 4 and share["concentration"]["1"] == 0.4
    assert share["pareto"][-1] == [100.0, 1.0]


def test_custom_period(api, sales):
    today = timezone.localdate()
    response = api.get(
        "/api/v1/analytics/top-customers", {"since": today.isoformat(), "until": today.isoformat()}
    )
    assert len(response.json()["items"]) == 4
    response = api.get("/api/v1/analytics/share", {"since": "2020-01-01", "until": "2020-01-31"})
    assert response.json()["customers"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-05-01", "until": "2026-04-01"}, "until"),
        ({"since": "2026-05-01"}, "until"),
        ({"period": "this_month", "since": "2026-05-01", "until": "2026-05-02"}, "period"),
        ({"period": "next_decade"}, "period"),
        ({"limit": 0}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"by": "volume"}, "by"),
        ({"since": "01/05/2026", "until": "2026-05-02"}, "since"),
    ],
)
def test_bad_parameters_name_the_field(api, params, field):
    response = api.get("/api/v1/analytics/top-customers", params)
    assert response.status_code == 422, response.content
    assert field in str([error["loc"] for error in response.json()["detail"]])


def test_a_buddhist_era_year_is_refused_with_the_year_meant(api):
    response = api.get(
        "/api/v1/analytics/top-customers", {"since": "2569-01-01", "until": "2569-01-31"}
    )
    assert response.status_code == 422
    messages = [error["msg"] for error in response.json()["detail"]]
    assert any("2569 looks like a Buddhist-era year" in m and "(2026)" in m for m in messages)


def test_cadence(api, make_user):
    customer = CustomerFactory()
    today = timezone.localdate()
    for weeks in range(1, 7):
        visit(customer, at(today - dt.timedelta(weeks=weeks), 10))
    body = api.get(f"/api/v1/analytics/customers/{customer.pk}/cadence").json()
    assert body["days"] == 6 and body["visits"] == 6
    assert body["usual_weekdays"] == [today.weekday()]
    assert body["mean_interval"] == 7.0 and body["usual_hour"] == 10
    assert not body["overdue"]
    rep = make_user(role="sales")
    hidden = token_client(rep).get(f"/api/v1/analytics/customers/{customer.pk}/cadence")
    assert hidden.status_code == 404
    assert api.get("/api/v1/analytics/customers/999999/cadence").status_code == 404


def test_expected_today_and_overdue(api):
    today = timezone.localdate()
    regular, lapsed = CustomerFactory(), CustomerFactory()
    for weeks in range(1, 7):
        visit(regular, at(today - dt.timedelta(weeks=weeks)))
        visit(lapsed, at(today - dt.timedelta(weeks=weeks + 8)))
    expected = api.get("/api/v1/analytics/expected-today").json()
    assert [item["customer_id"] for item in expected["items"]] == [regular.pk]
    assert expected["items"][0]["likelihood"] == 1.0
    overdue = api.get("/api/v1/analytics/overdue", {"page_size": 10}).json()
    assert [item["customer_id"] for item in overdue["items"]] == [lapsed.pk]
    assert overdue["items"][0]["since_last"] == 63
    assert api.get("/api/v1/analytics/overdue", {"page_size": 500}).status_code == 422


def test_rep_sees_own_figures(make_user, sales):
    rep = make_user(role="sales")
    sales[0].owner = rep
    sales[0].save()
    body = token_client(rep).get("/api/v1/analytics/top-customers").json()
    assert [item["customer_id"] for item in body["items"]] == [sales[0].pk]
    assert body["items"][0]["share"] == 1.0


def test_needs_a_login(client):
    assert client.get("/api/v1/analytics/top-customers").status_code == 401


def test_top_groups(api, sales):
    body = api.get("/api/v1/analytics/top-groups", {"group": "channel"}).json()
    assert [(item["value"], item["share"]) for item in body["items"]] == [("store", 1.0)]
    assert api.get("/api/v1/analytics/top-groups").status_code == 422
    assert api.get("/api/v1/analytics/top-groups", {"group": "shoe"}).status_code == 422
