"""The analytics roll-ups: hand-computed cases, then a property test that keeping them
order by order agrees with rebuilding them from scratch."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from samphan.analytics.models import CustomerActivity, DailySales, HourlyTraffic, PurchaseMarks
from samphan.analytics.rollups import analytics_rebuild
from samphan.customers import services as customer_services
from samphan.customers.merge import customer_merge
from samphan.customers.models import Interaction
from samphan.sales import services
from samphan.sales.models import Order
from samphan.sales.services import LineInput, OrderInput
from tests.factories import CustomerFactory, ProductFactory

BANGKOK = ZoneInfo("Asia/Bangkok")
D = Decimal


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BANGKOK)


def visit(customer, moment):
    return customer_services.interaction_log(
        actor=None, customer=customer, kind="visit", summary="came in", occurred_at=moment
    )


def buy(customer, product, moment, channel="store", quantity=1):
    order, _ = services.order_record(
        actor=None,
        customer=customer,
        lines=[LineInput(product.pk, quantity)],
        channel=channel,
        ordered_at=moment,
    )
    return order


def activity_rows():
    columns = [field.attname for field in CustomerActivity._meta.concrete_fields]
    return sorted(CustomerActivity.objects.values_list(*columns))


def daily_rows():
    return sorted(
        DailySales.objects.filter(order_count__gt=0).values_list(
            "day", "channel", "revenue", "profit", "order_count"
        )
    )


def hourly_rows():
    return sorted(
        HourlyTraffic.objects.exclude(orders=0, visits=0).values_list(
            "day", "hour", "orders", "visits"
        )
    )


def snapshot():
    marks = [field.attname for field in PurchaseMarks._meta.concrete_fields]
    return (
        activity_rows(),
        daily_rows(),
        hourly_rows(),
        sorted(PurchaseMarks.objects.values_list(*marks)),
    )


def rebuilt():
    """The roll-ups recomputed from scratch (then put back as they were)."""
    with transaction.atomic():
        analytics_rebuild()
        figures = snapshot()
        transaction.set_rollback(True)
    return figures


# Mondays in March 2026: 2, 9, 16, 23, 30; Thursday the 12th.
MONDAYS = [dt.date(2026, 3, day) for day in (2, 9, 16, 23, 30)]


@pytest.mark.django_db
class TestHandComputed:
    def test_five_mondays_and_a_thursday(self):
        customer = CustomerFactory()
        for day in MONDAYS:
            visit(customer, at(day, 9, 30))
        visit(customer, at(dt.date(2026, 3, 12), 18))
        activity = CustomerActivity.objects.get(customer=customer)
        assert activity.visit_count == 6
        assert activity.days == 6
        assert activity.weekdays == [5, 0, 0, 1, 0, 0, 0]
        assert activity.hour_9 == 5 and activity.hour_18 == 1
        assert (activity.first_day, activity.last_day) == (MONDAYS[0], MONDAYS[-1])
        # Gaps 7, 3 (Mon 9 → Thu 12), 4, 7, 7 days: squares 49 + 9 + 16 + 49 + 49.
        assert activity.gap_squares == 172
        assert activity.first_visit_at == at(MONDAYS[0], 9, 30)
        assert activity.last_visit_at == at(MONDAYS[-1], 9, 30)
        assert snapshot() == rebuilt()

    def test_a_visit_and_a_purchase_the_same_day_are_one_day(self):
        customer = CustomerFactory()
        tea = ProductFactory(list_price=D("100.00"), unit_cost=D("40.00"))
        visit(customer, at(MONDAYS[0], 11))
        buy(customer, tea, at(MONDAYS[0], 11, 20))
        activity = CustomerActivity.objects.get(customer=customer)
        assert (activity.days, activity.visit_count, activity.hour_11) == (1, 1, 1)
        # An earlier purchase that day moves the day's hour: recomputed.
        buy(customer, tea, at(MONDAYS[0], 8))
        activity.refresh_from_db()
        assert (activity.days, activity.hour_8, activity.hour_11) == (1, 1, 0)
        assert snapshot() == rebuilt()

    def test_local_day_not_utc(self):
        """00:30 in Bangkok is the previous day in UTC: the day and weekday are Bangkok's."""
        customer = CustomerFactory()
        visit(customer, at(MONDAYS[0], 0, 30))
        activity = CustomerActivity.objects.get(customer=customer)
        assert activity.last_day == MONDAYS[0]
        assert activity.weekday_0 == 1 and activity.hour_0 == 1
        assert snapshot() == rebuilt()

    def test_daily_sales_follow_orders_refunds_and_cancellations(self):
        customer = CustomerFactory()
        cup = ProductFactory(list_price=D("200.00"), unit_cost=D("50.00"), price_includes_vat=False)
        first = buy(customer, cup, at(MONDAYS[0]), quantity=2)
        buy(customer, cup, at(MONDAYS[0], 15), channel="online")
        services.order_refund(actor=None, order=first, lines=[LineInput(cup.pk, 1)])
        day = DailySales.objects.get(day=MONDAYS[0], channel="store")
        assert (day.revenue, day.profit, day.order_count) == (D("200.00"), D("150.00"), 1)
        services.order_set_status(actor=None, order=first, status=Order.Status.CANCELLED)
        assert not DailySales.objects.filter(day=MONDAYS[0], channel="store").exists()
        assert DailySales.objects.get(day=MONDAYS[0], channel="online").order_count == 1
        assert snapshot() == rebuilt()

    def test_deleting_or_moving_a_visit_recomputes(self):
        customer = CustomerFactory()
        entries = [visit(customer, at(day)) for day in MONDAYS[:3]]
        customer_services.interaction_delete(actor=None, interaction=entries[1])
        customer_services.interaction_update(
            actor=None, interaction=entries[2], fields={"occurred_at": at(dt.date(2026, 3, 5))}
        )
        activity = CustomerActivity.objects.get(customer=customer)
        assert (activity.days, activity.visit_count, activity.gap_squares) == (2, 2, 9)
        assert activity.weekday_3 == 1  # the 5th is a Thursday
        customer_services.interaction_update(
            actor=None, interaction=entries[2], fields={"kind": "note"}
        )
        activity.refresh_from_db()
        assert (activity.days, activity.visit_count) == (1, 1)
        assert snapshot() == rebuilt()

    def test_one_order_at_a_time_in_each_case(self):
        """A first purchase, a second the same day, one on a visit's day, a later day and
        an earlier one: the sums and the days after each, by hand, and as rebuilt."""
        customer, tea = CustomerFactory(), ProductFactory(list_price=D("107.00"))
        steps = [
            (buy, at(MONDAYS[1], 10), (1, 1, 100)),  # the first purchase: a row
            (buy, at(MONDAYS[1], 15), (2, 1, 200)),  # the same day, later: sums only
            (visit, at(MONDAYS[2], 9), (2, 2, 200)),
            (buy, at(MONDAYS[2], 11), (3, 2, 300)),  # a visit's day: sums only
            (buy, at(MONDAYS[3], 10), (4, 3, 400)),  # a later day: one statement
            (buy, at(MONDAYS[0], 10), (5, 4, 500)),  # an earlier day: recomputed
        ]
        for action, moment, (orders, days, revenue) in steps:
            action(customer, tea, moment) if action is buy else visit(customer, moment)
            row = CustomerActivity.objects.get(customer=customer)
            assert (row.order_count, row.days, row.revenue) == (orders, days, D(revenue))
            assert snapshot() == rebuilt()
        row = CustomerActivity.objects.get(customer=customer)
        assert (row.first_purchase_at, row.last_purchase_at) == (at(MONDAYS[0]), at(MONDAYS[3]))

    def test_merge_moves_history(self):
        kept, merged = CustomerFactory(), CustomerFactory()
        tea = ProductFactory()
        visit(kept, at(MONDAYS[0]))
        buy(merged, tea, at(MONDAYS[1]))
        customer_merge(actor=None, source=merged, target=kept)
        activity = CustomerActivity.objects.get(customer=kept)
        assert (activity.days, activity.visit_count) == (2, 1)
        assert not CustomerActivity.objects.filter(customer=merged).exists()
        assert CustomerActivity.objects.get(customer=kept).order_count == 1
        assert snapshot() == rebuilt()

    def test_bulk_batch(self):
        customers = [CustomerFactory() for _ in range(3)]
        tea = ProductFactory()
        visit(customers[0], at(MONDAYS[2]))
        result = services.orders_bulk_record(
            actor=None,
            orders=[
                OrderInput(
                    customer=c.pk,
                    channel="online",
                    lines=[LineInput(tea.pk, 1)],
                    ordered_at=at(day),
                )
                for c in customers
                for day in MONDAYS[:2]
            ],
        )
        assert not result.errors
        assert CustomerActivity.objects.get(customer=customers[0]).days == 3
        assert DailySales.objects.get(day=MONDAYS[0], channel="online").order_count == 3
        assert snapshot() == rebuilt()

    def test_batch_on_a_later_day_adds_in_place(self):
        """A POS batch of today's sales: each customer's new day is added, not recomputed,
        and equals the rebuild; an earlier time on a customer's last day is recomputed."""
        regular, early, new = (CustomerFactory() for _ in range(3))
        tea = ProductFactory()
        buy(regular, tea, at(MONDAYS[0], 10))
        buy(early, tea, at(MONDAYS[2], 15))
        lines = [LineInput(tea.pk, 1)]
        result = services.orders_bulk_record(
            actor=None,
            orders=[
                OrderInput(customer=regular.pk, channel="store", lines=lines, ordered_at=moment)
                for moment in (at(MONDAYS[2], 11), at(MONDAYS[2], 9))
            ]
            + [
                OrderInput(
                    customer=early.pk, channel="store", lines=lines, ordered_at=at(MONDAYS[2], 8)
                ),
                OrderInput(
                    customer=new.pk, channel="store", lines=lines, ordered_at=at(MONDAYS[2], 12)
                ),
            ],
        )
        assert not result.errors
        activity = CustomerActivity.objects.get(customer=regular)
        assert (activity.days, activity.gap_squares, activity.hour_9) == (2, 14 * 14, 1)
        assert activity.last_day_first_at == at(MONDAYS[2], 9)
        assert CustomerActivity.objects.get(customer=early).hour_8 == 1
        assert CustomerActivity.objects.get(customer=new).days == 1
        assert snapshot() == rebuilt()

    def test_batch_of_old_history_fills_in_between(self):
        """An import of old orders: a day between two days a customer came splits the gap
        between them, an earlier time on a day they came moves that day's hour, a day
        before their first becomes the first; none of it recomputed, all equal to the
        rebuild."""
        between, same_day, before = (CustomerFactory() for _ in range(3))
        tea = ProductFactory()
        for customer in (between, same_day, before):
            buy(customer, tea, at(MONDAYS[1], 10))
            visit(customer, at(MONDAYS[3], 9))
        lines = [LineInput(tea.pk, 1)]
        result = services.orders_bulk_record(
            actor=None,
            orders=[
                OrderInput(customer=between.pk, channel="store", lines=lines,
                           ordered_at=at(MONDAYS[2], 15)),
                OrderInput(customer=same_day.pk, channel="store", lines=lines,
                           ordered_at=at(MONDAYS[1], 8)),
                OrderInput(customer=same_day.pk, channel="store", lines=lines,
                           ordered_at=at(MONDAYS[1], 12)),
                OrderInput(customer=before.pk, channel="store", lines=lines,
                           ordered_at=at(MONDAYS[0], 7)),
            ],
        )  # fmt: skip
        assert not result.errors
        activity = CustomerActivity.objects.get(customer=between)
        assert (activity.days, activity.gap_squares, activity.hour_15) == (3, 7 * 7 * 2, 1)
        assert (activity.first_day, activity.last_day) == (MONDAYS[1], MONDAYS[3])
        activity = CustomerActivity.objects.get(customer=same_day)
        assert (activity.days, activity.gap_squares) == (2, 14 * 14)
        assert (activity.hour_8, activity.hour_10, activity.hour_12) == (1, 0, 0)
        activity = CustomerActivity.objects.get(customer=before)
        assert (activity.days, activity.gap_squares, activity.first_day) == (
            3,
            7 * 7 + 14 * 14,
            MONDAYS[0],
        )
        assert snapshot() == rebuilt()

    def test_rebuild_command(self, capsys):
        customer = CustomerFactory()
        visit(customer, at(MONDAYS[0]))
        CustomerActivity.objects.all().delete()
        call_command("analytics_rebuild")
        assert "1 customers" in capsys.readouterr().out
        assert CustomerActivity.objects.get(customer=customer).days == 1

    def test_empty(self):
        assert analytics_rebuild() == {"customers": 0, "days": 0, "hours": 0, "purchase marks": 0}


# -- Property: any sequence of writes, kept incrementally, equals the rebuild ----------------

DAYS = [dt.date(2026, 3, 1) + dt.timedelta(days=n) for n in range(40)]
moments = st.builds(at, st.sampled_from(DAYS), st.integers(0, 23), st.sampled_from([0, 30]))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.integers(0, 2), moments, st.integers(1, 3)),
        st.tuples(st.just("visit"), st.integers(0, 2), moments, st.just(0)),
        st.tuples(st.just("refund"), st.integers(0, 50), st.none(), st.just(0)),
        st.tuples(st.just("cancel"), st.integers(0, 50), st.none(), st.just(0)),
        st.tuples(st.just("restore"), st.integers(0, 50), st.none(), st.just(0)),
        st.tuples(st.just("unvisit"), st.integers(0, 50), st.none(), st.just(0)),
        st.tuples(st.just("move"), st.integers(0, 50), moments, st.just(0)),
        st.tuples(st.just("batch"), st.integers(0, 2), moments, st.integers(1, 3)),
        st.tuples(
            st.just("import"), st.just(0), st.lists(moments, min_size=3, max_size=3), st.just(0)
        ),
    ),
    min_size=1,
    max_size=25,
)


class TestIncrementalEqualsRebuild(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(operations)
    def test_any_sequence(self, steps):
        customers = [CustomerFactory() for _ in range(3)]
        product = ProductFactory(list_price=D("99.50"), unit_cost=D("30.00"))
        orders: list[Order] = []
        visits: list[Interaction] = []
        for kind, who, moment, quantity in steps:
            if kind == "buy":
                orders.append(buy(customers[who], product, moment, quantity=quantity))
            elif kind == "batch":
                result = services.orders_bulk_record(
                    actor=None,
                    orders=[
                        OrderInput(
                            customer=customers[who].pk,
                            channel="online",
                            lines=[LineInput(product.pk, quantity)],
                            ordered_at=moment,
                        ),
                        OrderInput(
                            customer=customers[(who + 1) % 3].pk,
                            channel="store",
                            lines=[LineInput(product.pk, 1)],
                            ordered_at=moment,
                        ),
                        # Later the same day or on the next: one day or two in a batch.
                        OrderInput(
                            customer=customers[who].pk,
                            channel="store",
                            lines=[LineInput(product.pk, 1)],
                            ordered_at=moment + dt.timedelta(hours=7 * quantity),
                        ),
                    ],
                )
                orders.extend(result.created.values())
            elif kind == "import":  # one order each, at its own moment: old history too
                result = services.orders_bulk_record(
                    actor=None,
                    orders=[
                        OrderInput(
                            customer=customer.pk,
                            channel="store",
                            lines=[LineInput(product.pk, 1)],
                            ordered_at=when,
                        )
                        for customer, when in zip(customers, moment, strict=True)
                    ],
                )
                orders.extend(result.created.values())
            elif kind == "visit":
                visits.append(visit(customers[who], moment))
            elif kind in ("refund", "cancel", "restore") and orders:
                order = Order.objects.get(pk=orders[who % len(orders)].pk)
                if kind == "refund" and order.status == Order.Status.PAID:
                    left = services.refundable_by_product(order).get(product.pk)
                    if left and left[0] > 0:
                        services.order_refund(
                            actor=None, order=order, lines=[LineInput(product.pk, 1)]
                        )
                elif kind == "cancel":
                    services.order_set_status(actor=None, order=order, status="cancelled")
                elif kind == "restore":
                    services.order_set_status(actor=None, order=order, status="paid")
            elif kind in ("unvisit", "move") and visits:
                entry = visits.pop(who % len(visits))
                if kind == "unvisit":
                    customer_services.interaction_delete(actor=None, interaction=entry)
                else:
                    customer_services.interaction_update(
                        actor=None, interaction=entry, fields={"occurred_at": moment}
                    )
                    visits.append(entry)
        assert snapshot() == rebuilt()


def _statements(call):
    """How many statements ``call`` sends (savepoints included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_statements_per_order_stay_as_they_are():
    """The roll-ups ride on each write with a fixed number of statements: a new order on a
    later day, a back-dated one, a refund, a cancellation and a batch (on PostgreSQL a new
    order's roll-ups are one statement, the day's and hour's upserts riding along)."""
    from django.db import connection

    customer, tea = CustomerFactory(), ProductFactory(list_price=D("107.00"))
    buy(customer, tea, at(MONDAYS[1]))
    today = dt.datetime.now(BANGKOK).replace(microsecond=0)
    counts = {
        "later": _statements(lambda: buy(customer, tea, today)),
        "earlier": _statements(lambda: buy(customer, tea, at(MONDAYS[0]))),
    }
    order = Order.objects.order_by("pk").first()
    counts["refund"] = _statements(
        lambda: services.order_refund(actor=None, order=order, lines=[LineInput(tea.pk, 1)])
    )
    counts["cancel"] = _statements(
        lambda: services.order_set_status(actor=None, order=order, status=Order.Status.CANCELLED)
    )
    batch = [
        OrderInput(customer=c.pk, channel="online", lines=[LineInput(tea.pk, 1)], ordered_at=today)
        for c in (customer, CustomerFactory())
    ]
    counts["batch"] = _statements(lambda: services.orders_bulk_record(actor=None, orders=batch))
    expected = {
        "postgresql": {"later": 11, "earlier": 11, "refund": 15, "cancel": 15, "batch": 22},
        # The funnel's purchase marks (issue 22): a new order's recount rides along on
        # PostgreSQL (one statement more on SQLite); a cancellation or a batch deletes and
        # inserts its customers' marks (two more). Issue 22 (CPU per request): a new order
        # without an external id takes no savepoint (-2); its lines come back with their
        # ids (+1 on SQLite: last_insert_rowid).
        # Points (issue 24): a new order +4 (the programme's version, the earn row, the
        # balance, the window's spend for a tier), a batch +5 (and its buyers' tiers); a
        # refund +3 (the order's rows, the reversal, the balance); a cancellation of an
        # order with nothing left to take back +1 (its rows).
        "sqlite": {"later": 15, "earlier": 17, "refund": 15, "cancel": 15, "batch": 22},
    }
    assert counts == expected[connection.vendor]
