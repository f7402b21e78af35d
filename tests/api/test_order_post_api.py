"""One order posted to the API (issue 22, CPU per request): the answer is built from what
was written, not read back, so it must be exactly what reading the order gives; the
roll-ups each order keeps must equal the same roll-ups rebuilt from the orders by SQL; and
the plain-SQL customer check must follow ``visible_to`` for every kind of user."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samphan.accounts.models import Role
from samphan.core import sql
from samphan.core.permissions import visible_sql
from samphan.customers.models import Customer
from samphan.sales import queries
from samphan.sales.models import Order
from tests.analytics.test_rollups import rebuilt, snapshot
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory, TeamFactory, UserFactory


def post(client, body):
    return client.post("/api/v1/orders", data=json.dumps(body), content_type="application/json")


@pytest.fixture
def shelf(db):
    return {
        "tea": ProductFactory(sku="TEA", list_price=Decimal("107.00"), unit_cost=Decimal("40.00")),
        "cup": ProductFactory(
            sku="CUP",
            list_price=Decimal("250.00"),
            unit_cost=Decimal("90.50"),
            price_includes_vat=False,
        ),
    }


LINES = [
    [{"sku": "TEA", "quantity": 1}],
    [{"sku": "TEA", "quantity": "1.5", "unit_price": "99.9"}],
    [{"sku": "TEA", "quantity": "2", "discount": "7.5"}, {"sku": "CUP", "quantity": 3}],
    [{"sku": "CUP", "quantity": "0.001", "unit_price": "0"}, {"sku": "TEA", "quantity": 12}],
]


@pytest.mark.parametrize("lines", LINES)
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"ordered_at": "2026-11-20T10:30:00+07:00", "note": "  ส่งด่วน  "},
        {"ordered_at": "2026-11-20T03:30:00.123456Z", "external_id": " pos-7 "},
    ],
)
def test_the_answer_is_what_reading_the_order_back_gives(api, shelf, lines, extra):
    customer = CustomerFactory()
    body = {"customer_id": customer.pk, "channel": "store", "lines": lines, **extra}
    # by id as well as by SKU: the product is named either way
    body["lines"] = [dict(line) for line in lines]
    body["lines"][0] = {"product_id": shelf["tea"].pk, **body["lines"][0]}
    body["lines"][0].pop("sku")
    posted = post(api, body)
    assert posted.status_code == 201, posted.content
    read = api.get(f"/api/v1/orders/{posted.json()['id']}")
    assert posted.json() == read.json()
    assert posted.content == read.content


def test_a_retried_post_answers_the_first_order_as_read(api, shelf):
    body = {
        "customer_id": CustomerFactory().pk,
        "channel": "online",
        "external_id": "shopee-1",
        "lines": [{"sku": "TEA", "quantity": 2}],
    }
    first, again = post(api, body), post(api, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()


def test_roll_ups_after_api_orders_equal_them_rebuilt_from_the_orders(api, shelf):
    """Every case of the per-order roll-up, each through the API: a first order, a second
    the same day (back then, and today), a later day, an earlier one (back-dated), another customer, a lead who
    becomes a customer, a retry that writes nothing, and an order refused."""
    regular = CustomerFactory(stage=Customer.Stage.CUSTOMER)
    lead = CustomerFactory(stage=Customer.Stage.LEAD)
    today = dt.datetime.now(dt.UTC).replace(microsecond=0)
    local = today.astimezone(sql.zone())
    midnight = local.replace(hour=0, minute=0, second=0)
    moments = [
        (regular, today - dt.timedelta(days=10)),
        (regular, today - dt.timedelta(days=10, hours=-1)),
        (regular, today - dt.timedelta(days=30)),  # back-dated: the customer recounted
        (lead, today - dt.timedelta(days=2)),
        (lead, today - dt.timedelta(days=2, hours=1)),
        # last, so that no recount hides them: two sales today, the later second (counted
        # by the new-day update's same-day case)
        (regular, max(midnight, local - dt.timedelta(minutes=2))),
        (regular, today),
    ]
    for index, (customer, moment) in enumerate(moments):
        answer = post(
            api,
            {
                "customer_id": customer.pk,
                "channel": ("store", "online")[index % 2],
                "ordered_at": moment.isoformat(),
                "external_id": f"pos-{index}",
                "lines": [{"sku": "TEA", "quantity": index + 1}, {"sku": "CUP", "quantity": 1}],
            },
        )
        assert answer.status_code == 201, answer.content
    assert post(api, {"customer_id": regular.pk, "channel": "store", "external_id": "pos-0",
                      "lines": [{"sku": "TEA", "quantity": 9}]}).status_code == 200  # fmt: skip
    refused = {
        "customer_id": regular.pk,
        "channel": "store",
        "lines": [{"sku": "NO", "quantity": 1}],
    }
    assert post(api, refused).status_code == 422
    assert Order.objects.count() == len(moments)
    lead.refresh_from_db()
    assert lead.stage == Customer.Stage.CUSTOMER
    figures = snapshot()
    assert all(figures), figures  # every roll-up has rows to compare
    assert figures == rebuilt()


@pytest.mark.parametrize("kind", ["superuser", "all records", "own and team", "own, no team"])
def test_the_customer_check_is_visible_to(db, kind):
    """``customer_to_sell_to`` (plain SQL) finds exactly the customers ``visible_to`` does."""
    team, other_team = TeamFactory(name="ทีมกรุงเทพ"), TeamFactory(name="ทีมเหนือ")
    role = Role.ADMIN if kind == "all records" else Role.SALES
    user = UserFactory(
        username=f"u-{kind}",
        role=role,
        team=None if kind == "own, no team" else team,
        is_superuser=kind == "superuser",
    )
    colleague = UserFactory(username="colleague", role=Role.SALES, team=team)
    customers = [
        CustomerFactory(owner=user),
        CustomerFactory(owner=colleague, team=team),
        CustomerFactory(owner=colleague),
        CustomerFactory(team=other_team),
        CustomerFactory(),
    ]
    expected = set(
        Customer.objects.visible_to(user)
        .filter(pk__in=[c.pk for c in customers])
        .values_list("pk", flat=True)
    )
    found = set()
    for customer in customers:
        try:
            chosen = queries.customer_to_sell_to(user, customer.pk)
        except ValidationError as error:  # not one they may see
            assert list(error.message_dict) == ["customer"]
            continue
        assert (chosen.pk, chosen.stage, chosen.is_archived) == (
            customer.pk,
            customer.stage,
            customer.is_archived,
        )
        found.add(customer.pk)
    assert found == expected
    assert 0 < len(expected) <= len(customers)
    assert (kind in ("superuser", "all records")) == (visible_sql(user)[0] == "1 = 1")


def test_a_scoped_seller_posts_for_a_team_customer_not_another_teams(db, shelf):
    team, other_team = TeamFactory(name="ทีมกรุงเทพ"), TeamFactory(name="ทีมเหนือ")
    seller = UserFactory(username="seller", role=Role.SALES, team=team)
    client = token_client(seller)
    ours, theirs = CustomerFactory(team=team), CustomerFactory(team=other_team)
    lines = [{"sku": "TEA", "quantity": 1}]
    made = post(client, {"customer_id": ours.pk, "channel": "store", "lines": lines})
    assert made.status_code == 201, made.content
    refused = post(client, {"customer_id": theirs.pk, "channel": "store", "lines": lines})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "customer_id"]
    assert Order.objects.filter(customer=theirs).count() == 0
