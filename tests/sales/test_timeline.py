"""Orders on the customer timeline, read from the orders: merged with logged interactions,
paged by cursor without skipping or repeating, only for those who may see orders."""

import datetime as dt
import importlib
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from samphan.accounts.models import Role
from samphan.customers.models import Customer, Interaction
from samphan.customers.timeline import PAGE_ENTRIES, Cursor, latest_activity, timeline_page
from samphan.sales import services
from samphan.sales.models import Order
from samphan.sales.services import LineInput, OrderInput
from tests.api.calls import assert_names_field
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory, UserFactory
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def customer(db):
    ProductFactory(sku="TEA", list_price=Decimal("107.00"))
    return CustomerFactory()


def sell(customer, moments, note=""):
    """An order at each moment, in one batch; returns them."""
    inputs = [
        OrderInput(
            customer=customer.pk,
            lines=[LineInput("TEA", 1)],
            channel="store",
            ordered_at=at,
            note=note,
        )
        for at in moments
    ]
    result = services.orders_bulk_record(actor=None, orders=inputs)
    assert not result.errors
    return list(result.created.values())


def log(customer, moments, kind="note"):
    Interaction.objects.bulk_create(
        Interaction(customer=customer, kind=kind, summary=f"{kind} {i}", occurred_at=at)
        for i, at in enumerate(moments)
    )


def every_entry(user, customer, **filters):
    """The whole timeline, page after page of 7, as (source, id)."""
    seen, before = [], None
    while True:
        page, before = timeline_page(user, customer, before=before, size=7, **filters)
        seen += [(entry.source, entry.id) for entry in page]
        if before is None:
            return seen


def expected(customer):
    """Newest first by (time, source rank, id): interactions rank before orders."""
    rows = [
        (at, 0, pk, "interaction")
        for pk, at in Interaction.objects.filter(customer=customer).values_list("pk", "occurred_at")
    ] + [
        (at, 1, pk, "order")
        for pk, at in Order.objects.filter(customer=customer).values_list("pk", "ordered_at")
    ]
    return [(source, pk) for at, rank, pk, source in sorted(rows, reverse=True)]


def test_orders_and_interactions_merge_without_skips_or_repeats(customer, admin_user):
    # Three moments shared by both sources: every page boundary falls among ties.
    moments = [START + dt.timedelta(hours=i % 3) for i in range(20)]
    sell(customer, moments)
    log(customer, moments[:17])
    log(CustomerFactory(), moments)  # another customer's entries never show
    seen = every_entry(admin_user, customer)
    assert len(seen) == 37 and seen == expected(customer)


def test_a_purchase_entry_says_what_the_order_is(customer, admin_user):
    [order] = sell(customer, [START], note="ส่งที่สาขาสยาม")
    [entry], older = timeline_page(admin_user, customer)
    assert older is None
    assert (entry.kind, entry.kind_label, entry.occurred_at) == ("purchase", "purchase", START)
    assert entry.summary == f"Order {order.number}: ฿107.00"
    assert (entry.body, entry.channel, entry.url) == (
        "ส่งที่สาขาสยาม",
        "store",
        f"/sales/orders/{order.pk}/",
    )
    services.order_set_status(actor=admin_user, order=order, status="cancelled")
    [entry], _ = timeline_page(admin_user, customer)
    assert entry.summary.endswith("(cancelled)")


def test_kind_and_search_reach_orders_too(customer, admin_user):
    orders = sell(customer, [START, START + dt.timedelta(days=1)], note="กล่องของขวัญ")
    log(customer, [START], kind="purchase")  # bought at a fair, logged by hand
    log(customer, [START + dt.timedelta(days=2)], kind="call")
    purchases = every_entry(admin_user, customer, kind="purchase")
    assert sorted(source for source, _ in purchases) == ["interaction", "order", "order"]
    assert every_entry(admin_user, customer, kind="call") == [
        ("interaction", Interaction.objects.get(kind="call").pk)
    ]
    assert every_entry(admin_user, customer, q=orders[0].number.lower()) == [
        ("order", orders[0].pk)
    ]
    assert len(every_entry(admin_user, customer, q="ของขวัญ")) == 2


def test_who_may_not_see_orders_sees_only_the_logged_entries(customer):
    reader = UserFactory(username="reader")
    reader.user_permissions.add(
        Permission.objects.get(codename="view_customer", content_type__app_label="customers")
    )
    customer.owner = reader
    customer.save()
    sell(customer, [START])
    log(customer, [START])
    assert not reader.has_perm("sales.view_order")
    assert every_entry(reader, customer) == [("interaction", Interaction.objects.get().pk)]
    assert all(entry.source == "interaction" for entry in latest_activity(reader))


def test_the_customer_page_links_purchases_and_pages_through_them(customer, admin_client):
    sell(customer, [START + dt.timedelta(minutes=i) for i in range(60)])
    html = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    links = re.findall(r'<a href="/sales/orders/(\d+)/">[^<]*SO-', html)
    newest = Order.objects.order_by("-ordered_at", "-id")
    assert [int(pk) for pk in links] == list(newest.values_list("pk", flat=True)[:PAGE_ENTRIES])
    older = re.search(r'href="/customers/\d+/\?before=([\d.]+)#timeline"', html).group(1)
    last = newest[PAGE_ENTRIES - 1]
    assert Cursor.parse(older) == Cursor(last.ordered_at, 1, last.pk)


def test_a_page_runs_the_same_queries_with_many_orders(customer, admin_client):
    def count() -> int:
        with assert_queries() as captured:
            assert admin_client.get(f"/customers/{customer.pk}/").status_code == 200
        return len(captured)

    sell(customer, [START])
    few = count()
    sell(customer, [START + dt.timedelta(minutes=i) for i in range(1, 120)])
    assert count() == few


def test_the_home_feed_shows_the_latest_sale_with_its_link(customer, admin_client):
    log(customer, [START])
    [order] = sell(customer, [START + dt.timedelta(hours=1)])
    html = admin_client.get("/").content.decode()
    assert re.search(f'<a href="/sales/orders/{order.pk}/">[^<]*{order.number}', html)
    assert html.index(order.number) < html.index("note 0")


# -- API ------------------------------------------------------------------------------------


def test_the_api_timeline_pages_by_cursor(customer, admin_user):
    client = token_client(admin_user)
    sell(customer, [START + dt.timedelta(hours=i % 2) for i in range(5)])
    log(customer, [START, START + dt.timedelta(hours=1)])
    url = f"/api/v1/customers/{customer.pk}/timeline"
    seen, before = [], ""
    while True:
        body = client.get(url, {"limit": 3, "before": before}).json()
        seen += [(item["source"], item["id"]) for item in body["items"]]
        if body["next"] is None:
            break
        before = body["next"]
    assert seen == expected(customer)
    first = client.get(url, {"kind": "purchase", "limit": 1}).json()["items"][0]
    assert first["kind"] == "purchase" and first["url"].startswith("/sales/orders/")
    assert set(first) == {
        "source", "id", "kind", "occurred_at", "user_id", "channel", "summary", "body", "url"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"before": "12"}, "before"),
        ({"before": "1.0.x"}, "before"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"kind": "lunch"}, "kind"),
    ],
)
def test_the_api_timeline_names_a_bad_parameter(customer, admin_user, params, field):
    response = token_client(admin_user).get(f"/api/v1/customers/{customer.pk}/timeline", params)
    assert_names_field(response, field)


def test_the_api_timeline_of_another_teams_customer_is_404(customer, make_user):
    customer.owner = make_user(Role.SALES, username="owner")
    customer.team = customer.owner.team
    customer.save()
    outsider = UserFactory(username="outsider", role=Role.SALES, team=None)
    response = token_client(outsider).get(f"/api/v1/customers/{customer.pk}/timeline")
    assert response.status_code == 404


# -- The migration that removed the copies ----------------------------------------------------


def test_the_migration_removes_copies_of_orders_and_keeps_logged_purchases(customer):
    [order] = sell(customer, [START])
    Interaction.objects.bulk_create(
        [
            Interaction(customer=customer, kind="purchase", summary="copy", occurred_at=START),
            Interaction(customer=customer, kind="purchase", summary="fair", occurred_at=START
                        + dt.timedelta(hours=1)),
            Interaction(customer=customer, kind="call", summary="call", occurred_at=START),
            Interaction(customer=CustomerFactory(), kind="purchase", summary="other",
                        occurred_at=START),
        ]
    )  # fmt: skip
    migration = importlib.import_module(
        "samphan.sales.migrations.0011_orders_leave_the_timeline_table"
    )
    with connection.cursor() as cursor:
        cursor.execute(migration.DELETE_COPIES)
    remaining = Interaction.objects.values_list("summary", flat=True)
    assert sorted(remaining) == ["call", "fair", "other"]
    assert Order.objects.filter(pk=order.pk).exists()


def test_no_cursor_is_read_from_a_browser_it_did_not_make():
    assert Cursor.parse("0.0.0") == Cursor(dt.datetime(1970, 1, 1, tzinfo=dt.UTC), 0, 0)
    moment = dt.datetime(2026, 11, 24, 7, 5, 3, 123456, tzinfo=dt.UTC)
    assert Cursor.parse(str(Cursor(moment, 1, 42))) == Cursor(moment, 1, 42)
    for value in ["", "1", "1.2", "1.2.3.4", "-1.0.1", "1.x.1", "๑.0.1", "1e5.0.1", "9" * 19]:
        assert Cursor.parse(value) is None, value
    assert Cursor.parse("999999999999999999.0.1") is None  # beyond year 9999


def test_the_home_feed_leaves_out_archived_customers(customer, admin_user, make_user):
    gone = CustomerFactory()
    log(gone, [START + dt.timedelta(hours=2)])
    sell(gone, [START + dt.timedelta(hours=3)])
    Customer.objects.filter(pk=gone.pk).update(archived_at=START)
    log(customer, [START])
    [order] = sell(customer, [START + dt.timedelta(hours=1)])
    expected_feed = [
        ("order", order.pk),
        ("interaction", Interaction.objects.get(customer=customer).pk),
    ]
    assert [(e.source, e.id) for e in latest_activity(admin_user)] == expected_feed
    rep = make_user(Role.SALES, username="rep")  # sees own and team records: no fast path
    Customer.objects.filter(pk__in=[gone.pk, customer.pk]).update(owner=rep)
    assert [(e.source, e.id) for e in latest_activity(rep)] == expected_feed


def test_the_home_feed_reads_past_many_archived_customers_newest(customer, admin_user):
    """Each source reads a few rows more than it shows, for archived customers' among the
    newest: with more of them than that, the feed is still the newest active entries."""
    gone = CustomerFactory()
    hours = [START + dt.timedelta(hours=100 + n) for n in range(12)]
    log(gone, hours)
    sell(gone, hours)
    Customer.objects.filter(pk=gone.pk).update(archived_at=START)
    log(customer, [START + dt.timedelta(hours=n) for n in range(12)])
    orders = sell(customer, [START + dt.timedelta(hours=n, minutes=30) for n in range(12)])
    feed = [(e.source, e.id) for e in latest_activity(admin_user)]
    notes = Interaction.objects.filter(customer=customer).order_by("-occurred_at")
    expected = [("order", o.pk) for o in sorted(orders, key=lambda o: o.ordered_at)[-5:]]
    expected += [("interaction", n.pk) for n in notes[:5]]
    assert sorted(feed) == sorted(expected)
    assert len(feed) == 10 and all(e.customer == customer for e in latest_activity(admin_user))


def test_the_home_feed_reads_its_customers_names_with_them(customer, admin_user):
    """The feed's customers come with what it shows: reading the names asks nothing."""
    log(customer, [START])
    sell(customer, [START + dt.timedelta(hours=1)])
    entries = latest_activity(admin_user)
    with CaptureQueriesContext(connection) as queries:
        names = [entry.customer.display_name for entry in entries if entry.customer]
    assert names == [customer.display_name] * 2
    assert len(queries) == 0
