"""The points ledger: paid orders earn a row each, refunds and cancellations take back
exactly what they earned, staff redeem and adjust with the balance never below zero and
a retried change posted once; the balance kept on the member equals the ledger's sum; the
customer page's panel and the API."""

import datetime as dt
import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client

from samphan.core.models import AuditEvent
from samphan.customers.merge import customer_merge
from samphan.loyalty.models import Member, PointsEntry, Programme
from samphan.loyalty.services import balance_of, balances, members_rebuild, points_record
from samphan.loyalty.services.earning import expiry_date
from samphan.sales import services as sales
from samphan.sales.services import LineInput, OrderInput, orders_bulk_record
from tests.analytics.test_views import login
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)  # 17:00 Monday in Bangkok


def ledger_sum(customer_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(points), 0) FROM loyalty_pointsentry WHERE customer_id = %s",
            [customer_id],
        )
        return int(cursor.fetchone()[0])


@pytest.fixture
def buyer(admin_user):
    """Two orders at ฿25 a point: ฿2,000 net of VAT (80 points) and ฿510 (20: 20.4 rounded
    down), 100 points in all."""
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


def test_each_paid_order_earns_a_row_with_its_basis(buyer):
    rows = list(PointsEntry.objects.order_by("id").values("kind", "cause", "points", "order_id",
                                                           "basis", "key", "expires_on"))  # fmt: skip
    assert [(r["kind"], r["cause"], r["points"]) for r in rows] == [
        ("earn", "order", 80),
        ("earn", "order", 20),
    ]
    assert rows[1]["order_id"] == buyer.last_order.pk and rows[1]["key"].startswith("order:")
    assert rows[1]["basis"] == {"per": "25", "programme": None}
    today = buyer.last_order.ordered_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    assert rows[1]["expires_on"] == expiry_date(Programme(), today)  # 24 months on
    assert balance_of(buyer.pk) == 100 == ledger_sum(buyer.pk)


def test_refunds_and_cancellations_take_back_what_the_order_earned(buyer, admin_user):
    order = buyer.last_order  # ฿510: 20 points
    sales.order_refund(actor=admin_user, order=order, lines=[LineInput(buyer.product.pk, 0.5)])
    # ฿10 left: 0 points; the ฿500 returned took back the 20 (not 500 / 25 = 20.4 → 20 by luck:
    # the order now holds floor(10 / 25) = 0).
    assert balance_of(buyer.pk) == 80
    sales.order_set_status(actor=admin_user, order=order, status="cancelled")
    assert balance_of(buyer.pk) == 80  # nothing left to take
    first = PointsEntry.objects.filter(kind="earn").order_by("id").first().order
    sales.order_set_status(actor=admin_user, order=first, status="cancelled")
    assert balance_of(buyer.pk) == 0
    sales.order_set_status(actor=admin_user, order=first, status="paid")  # restored
    assert balance_of(buyer.pk) == 80
    kinds = list(PointsEntry.objects.order_by("id").values_list("kind", "cause", "points"))
    assert kinds[2:] == [("reverse", "refund", -20), ("reverse", "refund", -80),
                         ("earn", "order", 80)]  # fmt: skip
    assert balance_of(buyer.pk) == ledger_sum(buyer.pk)


def test_settling_again_posts_nothing(buyer, admin_user):
    from samphan.loyalty.services import orders_settle

    before = PointsEntry.objects.count()
    orders_settle([buyer.last_order])
    orders_settle([buyer.last_order])
    assert PointsEntry.objects.count() == before and balance_of(buyer.pk) == 100


def test_orders_in_a_batch_earn_too(admin_user):
    customers = [CustomerFactory() for _ in range(3)]
    product = ProductFactory(list_price=Decimal("107.00"))  # ฿100 before VAT: 4 points each
    result = orders_bulk_record(
        actor=admin_user,
        orders=[OrderInput(customer=c.pk, channel="online", lines=[LineInput(product.pk, n + 1)])
                for n, c in enumerate(customers)],
    )  # fmt: skip
    assert not result.errors
    assert balances([c.pk for c in customers]) == {
        customers[0].pk: 4,
        customers[1].pk: 8,
        customers[2].pk: 12,
    }


def test_redeem_and_adjust(buyer, admin_user):
    points_record(actor=admin_user, customer=buyer, kind="redeem", points=30, note="คูปอง 30 บาท")
    points_record(actor=admin_user, customer=buyer, kind="adjust", points=-5, note="แก้ไข")
    points_record(actor=admin_user, customer=buyer, kind="adjust", points=15)
    assert balance_of(buyer.pk) == 80 == ledger_sum(buyer.pk)
    staff = PointsEntry.objects.filter(cause="staff")
    assert list(staff.values_list("points", flat=True)) == [15, -5, -30]
    audit = AuditEvent.objects.filter(subject_type="loyalty.pointsentry")
    assert audit.count() == 3 and all(event.customer_id == buyer.pk for event in audit)
    nobody = CustomerFactory()
    assert balances([buyer.pk, nobody.pk])[nobody.pk] == 0


def test_a_retried_change_posts_once(buyer, admin_user):
    first, created = points_record(actor=admin_user, customer=buyer, kind="redeem", points=30,
                                   key="pos-7-redeem")  # fmt: skip
    again, created_again = points_record(actor=admin_user, customer=buyer, kind="redeem",
                                         points=30, key="pos-7-redeem")  # fmt: skip
    assert created and not created_again and again.pk == first.pk
    assert balance_of(buyer.pk) == 70
    with pytest.raises(ValidationError) as raised:
        points_record(actor=admin_user, customer=CustomerFactory(), kind="adjust", points=5,
                      key="pos-7-redeem")  # fmt: skip
    assert "another customer" in raised.value.message_dict["key"][0]


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
        ("earn", 5, "", "kind", "redeem or adjust"),
        ("adjust", 5, "x" * 201, "note", "200"),
    ],
)
def test_bad_changes_name_the_field_and_write_nothing(
    buyer, admin_user, kind, points, note, field, words
):
    before = PointsEntry.objects.count()
    with pytest.raises(ValidationError) as raised:
        points_record(actor=admin_user, customer=buyer, kind=kind, points=points, note=note)
    assert words in " ".join(raised.value.message_dict[field])
    assert PointsEntry.objects.count() == before and balance_of(buyer.pk) == 100


def test_a_merge_moves_the_points_and_recounts_both_balances(buyer, admin_user):
    other = CustomerFactory()
    points_record(actor=admin_user, customer=other, kind="adjust", points=7)
    customer_merge(actor=admin_user, source=other, target=buyer)
    assert balance_of(buyer.pk) == 107 == ledger_sum(buyer.pk)
    assert balance_of(other.pk) == 0


def test_the_rebuild_finds_and_mends_a_wrong_balance(buyer, capsys):
    Member.objects.filter(pk=buyer.pk).update(points=5)
    with pytest.raises(SystemExit):
        call_command("loyalty_rebuild", "--check")
    assert balance_of(buyer.pk) == 5  # --check changes nothing
    call_command("loyalty_rebuild")
    assert balance_of(buyer.pk) == 100 and members_rebuild() == 0
    assert "1 balances mended" in capsys.readouterr().out


def test_the_migration_gives_old_orders_their_rows_and_keeps_every_balance(buyer, admin_user):
    """Before the ledger, points were counted on total spend (฿2,510 → 100); per order they
    are 80 + 20 here, and for ฿24 + ฿24 + ฿24 they would be 0 where the total gave 2."""
    small = ProductFactory(list_price=Decimal("25.68"))  # ฿24 before VAT
    thrifty = CustomerFactory()
    for _ in range(3):
        sales.order_record(actor=admin_user, customer=thrifty, channel="store",
                           lines=[LineInput(small.pk, 1)])  # fmt: skip
    points_record(actor=admin_user, customer=buyer, kind="redeem", points=10)
    staff = list(PointsEntry.objects.filter(cause="staff").values_list("points", flat=True))
    PointsEntry.objects.exclude(cause="staff").delete()
    Member.objects.all().delete()
    migration = importlib.import_module("samphan.loyalty.migrations.0003_ledger_backfill")
    migration.forwards(None, SimpleNamespace(connection=connection))
    assert balance_of(buyer.pk) == 90 and balance_of(thrifty.pk) == 2
    carry = PointsEntry.objects.get(customer=thrifty)
    assert (carry.kind, carry.points, carry.key) == ("adjust", 2, f"carry:{thrifty.pk}")
    assert PointsEntry.objects.filter(customer=buyer, kind="earn").count() == 2
    assert staff == [-10]
    migration.forwards(None, SimpleNamespace(connection=connection))  # once only
    assert balance_of(buyer.pk) == 90 and balance_of(thrifty.pk) == 2


@pytest.mark.parametrize(
    ("expiry", "months", "earned", "expires"),
    [
        ("months", 24, dt.date(2026, 3, 15), dt.date(2028, 3, 15)),
        ("months", 1, dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        ("months", 12, dt.date(2028, 2, 29), dt.date(2029, 2, 28)),
        ("year_end", 0, dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
        ("year_end", 0, dt.date(2026, 12, 31), dt.date(2027, 12, 31)),
        ("never", 0, dt.date(2026, 1, 1), None),
    ],
)
def test_expiry_dates(expiry, months, earned, expires):
    assert expiry_date(Programme(expiry=expiry, expiry_months=months), earned) == expires


@pytest.mark.parametrize(
    ("expiry", "months"), [("months", 1), ("months", 13), ("year_end", 0), ("never", 0)]
)
def test_the_backfill_dates_expiry_as_the_service_does(admin_user, expiry, months):
    """SQL date arithmetic on both databases against ``expiry_date``, on month ends."""
    from samphan.loyalty.services.backfill import ledger_fill

    customer = CustomerFactory()
    product = ProductFactory(list_price=Decimal("107.00"))
    days = [
        dt.datetime(2026, 1, 30, 20, tzinfo=dt.UTC),
        dt.datetime(2027, 12, 31, 1, tzinfo=dt.UTC),
    ]
    for moment in days:  # 31 January 03:00 and 31 December 08:00 in Bangkok
        sales.order_record(actor=admin_user, customer=customer, channel="store",
                           lines=[LineInput(product.pk, 1)], ordered_at=moment)  # fmt: skip
    PointsEntry.objects.all().delete()
    ledger_fill(per=Decimal(25), expiry=expiry, months=months, programme=None)
    programme = Programme(expiry=expiry, expiry_months=months)
    got = list(PointsEntry.objects.order_by("at").values_list("expires_on", flat=True))
    assert got == [expiry_date(programme, dt.date(2026, 1, 31)),
                   expiry_date(programme, dt.date(2027, 12, 31))]  # fmt: skip


def test_the_panel_shows_and_records(buyer, admin_user):
    client = login(admin_user)
    page = client.get(f"/points/customers/{buyer.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "100" in text and buyer.last_order.number in text
    redeemed = client.post(f"/points/customers/{buyer.pk}/", {"kind": "redeem", "points": "40", "note": "แลกแก้ว"},
                           headers={"HX-Request": "true"})  # fmt: skip
    assert redeemed.status_code == 200 and "Points recorded." in redeemed.content.decode()
    assert balance_of(buyer.pk) == 60 and "แลกแก้ว" in redeemed.content.decode()
    refused = client.post(f"/points/customers/{buyer.pk}/", {"kind": "redeem", "points": "61"},
                          headers={"HX-Request": "true"})  # fmt: skip
    assert 'aria-invalid="true"' in refused.content.decode()
    assert "Only 60 points are available." in refused.content.decode()
    plain = client.post(f"/points/customers/{buyer.pk}/", {"kind": "adjust", "points": "abc"})
    assert plain.status_code == 302 and balance_of(buyer.pk) == 60
    assert (
        "points-panel" not in client.get(f"/customers/{buyer.pk}/").content.decode()
    )  # loaded later


def test_an_empty_panel_says_how_points_come(admin_user):
    page = login(admin_user).get(f"/points/customers/{CustomerFactory().pk}/")
    assert "No points yet" in page.content.decode()


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
    assert balance_of(buyer.pk) == 105


def test_the_api(buyer, api, make_user):
    url = f"/api/v1/customers/{buyer.pk}/points"
    assert api.get(url).json()["points"] == 100
    key = {"Idempotency-Key": "till-3-0042"}
    body = {"kind": "redeem", "points": 25, "note": "คูปอง"}
    changed = api.post(url, body, content_type="application/json", headers=key)
    assert changed.status_code == 201
    answer = changed.json()
    assert (answer["points"], answer["baht_per_point"]) == (75, "25")
    assert answer["recent"][0]["points"] == -25 and answer["recent"][0]["note"] == "คูปอง"
    retried = api.post(url, body, content_type="application/json", headers=key)
    assert retried.status_code == 200 and retried.json()["points"] == 75
    for bad, field in [({"kind": "redeem", "points": 76}, "points"), ({"kind": "gift", "points": 1}, "kind"),
                       ({"kind": "earn", "points": 1}, "kind"),
                       ({"kind": "adjust", "points": 1, "colour": "red"}, "colour"),
                       ({"kind": "adjust", "points": 1, "note": "a\x00b"}, "note")]:  # fmt: skip
        refused = api.post(url, bad, content_type="application/json")
        assert refused.status_code == 422, bad
        assert any(detail["loc"][-1] == field for detail in refused.json()["detail"]), (
            refused.json()
        )
    long_key = api.post(url, {"kind": "adjust", "points": 1}, content_type="application/json",
                        headers={"Idempotency-Key": "k" * 101})  # fmt: skip
    assert long_key.status_code == 422 and "Idempotency-Key" in str(long_key.json())
    ledger = api.get(url + "/ledger", {"page_size": 2}).json()
    assert ledger["count"] == 3 and [row["points"] for row in ledger["items"]] == [-25, 20]
    assert ledger["items"][1]["basis"] == {"per": "25", "programme": None}
    earned = api.get(url + "/ledger", {"kind": "earn"}).json()
    assert [row["order_id"] is not None for row in earned["items"]] == [True, True]
    assert api.get(url + "/ledger", {"kind": "gift"}).status_code == 422
    assert api.get("/api/v1/customers/999999/points").status_code == 404
    viewer = token_client(make_user(role="viewer"))
    assert viewer.get(url).status_code == 200
    assert (
        viewer.post(
            url, {"kind": "adjust", "points": 1}, content_type="application/json"
        ).status_code
        == 403
    )
    assert balance_of(buyer.pk) == 75


def test_anonymous_calls_are_refused(buyer):
    assert Client().get(f"/api/v1/customers/{buyer.pk}/points").status_code == 401
