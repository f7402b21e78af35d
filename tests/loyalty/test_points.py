"""Points: earned from net spend (refunds and cancellations take them back), redeemed and
adjusted by staff with the balance never below zero; the customer page's panel, the API,
and {{ points }} in campaign messages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from samphan.core.models import AuditEvent
from samphan.loyalty.models import PointsEntry
from samphan.loyalty.services import balance_of, balances, points_earned, points_record
from samphan.sales import services as sales
from samphan.sales.services import LineInput
from tests.analytics.test_views import login
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(admin_user):
    """Spent ฿2,510 net of VAT over two orders: 100 points at ฿25 a point."""
    customer = CustomerFactory()
    product = ProductFactory(list_price=Decimal("1070.00"))  # ฿1,000 before VAT
    small = ProductFactory(list_price=Decimal("10.70"))  # ฿10
    sales.order_record(actor=admin_user, customer=customer, channel="store",
                       lines=[LineInput(product.pk, 2)])  # fmt: skip
    order, _ = sales.order_record(actor=admin_user, customer=customer, channel="store",
                                  lines=[LineInput(product.pk, 0.5), LineInput(small.pk, 1)])  # fmt: skip
    customer.last_order = order
    customer.product = product
    return customer


@pytest.mark.parametrize(
    ("revenue", "points"),
    [("0", 0), ("24.99", 0), ("25", 1), ("2510", 100), ("-50", 0), ("1000000.01", 40000)],
)
def test_a_point_for_every_25_baht_rounded_down(revenue, points):
    assert points_earned(Decimal(revenue)) == points


def test_earned_from_net_spend_and_taken_back_by_refunds_and_cancellations(
    buyer, admin_user, settings
):
    assert balance_of(buyer.pk).points == 100
    sales.order_refund(
        actor=admin_user, order=buyer.last_order, lines=[LineInput(buyer.product.pk, 0.5)]
    )
    assert balance_of(buyer.pk).points == 80  # ฿2,010
    sales.order_set_status(actor=admin_user, order=buyer.last_order, status="cancelled")
    assert balance_of(buyer.pk).points == 80  # ฿2,000
    settings.SAMPHAN_BAHT_PER_POINT = Decimal("10")
    assert balance_of(buyer.pk).points == 200


def test_redeem_and_adjust(buyer, admin_user):
    points_record(actor=admin_user, customer=buyer, kind="redeem", points=30, note="คูปอง 30 บาท")
    points_record(actor=admin_user, customer=buyer, kind="adjust", points=-5, note="แก้ไข")
    points_record(actor=admin_user, customer=buyer, kind="adjust", points=15)
    balance = balance_of(buyer.pk)
    assert (balance.earned, balance.changed, balance.points) == (100, -20, 80)
    assert list(PointsEntry.objects.values_list("points", flat=True)) == [15, -5, -30]
    audit = AuditEvent.objects.filter(subject_type="loyalty.pointsentry")
    assert audit.count() == 3 and all(event.customer_id == buyer.pk for event in audit)
    nobody = CustomerFactory()
    assert balances([buyer.pk, nobody.pk])[nobody.pk].points == 0


@pytest.mark.parametrize(
    ("kind", "points", "note", "field", "words"),
    [
        ("redeem", 101, "", "points", "Only 100 points"),
        ("adjust", -101, "", "points", "Only 100 points"),
        ("redeem", -5, "", "points", "positive"),
        ("adjust", 0, "", "points", "from 1"),
        ("adjust", 2_000_000, "", "points", "from 1"),
        ("adjust", "5", "", "points", "whole number"),
        ("adjust", True, "", "points", "whole number"),
        ("gift", 5, "", "kind", "redeem or adjust"),
        ("adjust", 5, "x" * 201, "note", "200"),
    ],
)
def test_bad_changes_name_the_field_and_write_nothing(
    buyer, admin_user, kind, points, note, field, words
):
    with pytest.raises(ValidationError) as raised:
        points_record(actor=admin_user, customer=buyer, kind=kind, points=points, note=note)
    assert words in " ".join(raised.value.message_dict[field])
    assert not PointsEntry.objects.exists() and balance_of(buyer.pk).points == 100


def test_the_panel_shows_and_records(buyer, admin_user):
    client = login(admin_user)
    page = client.get(f"/points/customers/{buyer.pk}/")
    assert page.status_code == 200 and "100" in page.content.decode()
    redeemed = client.post(f"/points/customers/{buyer.pk}/", {"kind": "redeem", "points": "40", "note": "แลกแก้ว"},
                           headers={"HX-Request": "true"})  # fmt: skip
    assert redeemed.status_code == 200 and "Points recorded." in redeemed.content.decode()
    assert balance_of(buyer.pk).points == 60 and "แลกแก้ว" in redeemed.content.decode()
    refused = client.post(f"/points/customers/{buyer.pk}/", {"kind": "redeem", "points": "61"},
                          headers={"HX-Request": "true"})  # fmt: skip
    assert 'aria-invalid="true"' in refused.content.decode()
    assert "Only 60 points are available." in refused.content.decode()
    plain = client.post(f"/points/customers/{buyer.pk}/", {"kind": "adjust", "points": "abc"})
    assert plain.status_code == 302 and balance_of(buyer.pk).points == 60
    assert (
        "points-panel" not in client.get(f"/customers/{buyer.pk}/").content.decode()
    )  # loaded later


def test_who_may_see_and_change_points(buyer, make_user):
    viewer = login(make_user(role="viewer"))
    assert "Points" in viewer.get(f"/points/customers/{buyer.pk}/").content.decode()
    assert (
        viewer.post(f"/points/customers/{buyer.pk}/", {"kind": "adjust", "points": "5"}).status_code
        == 403
    )
    desk = login(make_user(role="frontdesk"))
    assert (
        desk.post(f"/points/customers/{buyer.pk}/", {"kind": "adjust", "points": "5"}).status_code
        == 302
    )
    nobody = login(make_user())
    assert nobody.get(f"/points/customers/{buyer.pk}/").status_code == 404  # sees no customer
    assert balance_of(buyer.pk).points == 105


def test_the_api(buyer, api, make_user):
    url = f"/api/v1/customers/{buyer.pk}/points"
    assert api.get(url).json()["points"] == 100
    changed = api.post(
        url, {"kind": "redeem", "points": 25, "note": "คูปอง"}, content_type="application/json"
    )
    assert changed.status_code == 201
    body = changed.json()
    assert (body["points"], body["earned"], body["changed"], body["baht_per_point"]) == (
        75,
        100,
        -25,
        "25",
    )
    assert body["recent"][0]["points"] == -25 and body["recent"][0]["note"] == "คูปอง"
    for bad, field in [({"kind": "redeem", "points": 76}, "points"), ({"kind": "gift", "points": 1}, "kind"),
                       ({"kind": "adjust", "points": 1, "colour": "red"}, "colour"),
                       ({"kind": "adjust", "points": 1, "note": "a\x00b"}, "note")]:  # fmt: skip
        refused = api.post(url, bad, content_type="application/json")
        assert refused.status_code == 422, bad
        assert any(detail["loc"][-1] == field for detail in refused.json()["detail"]), (
            refused.json()
        )
    assert api.get("/api/v1/customers/999999/points").status_code == 404
    viewer = token_client(make_user(role="viewer"))
    assert viewer.get(url).status_code == 200
    assert (
        viewer.post(
            url, {"kind": "adjust", "points": 1}, content_type="application/json"
        ).status_code
        == 403
    )
    assert balance_of(buyer.pk).points == 75


def test_anonymous_calls_are_refused(buyer):
    assert Client().get(f"/api/v1/customers/{buyer.pk}/points").status_code == 401
