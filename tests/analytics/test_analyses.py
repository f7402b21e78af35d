"""Cadence, top customers and shares on small data sets with hand-computed answers."""

import datetime as dt
import math
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from samphan.analytics.cadence import cadence_of, chi_square_uniform_p, usual_hour, usual_weekdays
from samphan.analytics.figures import GroupQuestion, TopQuestion, figures
from samphan.analytics.models import CustomerActivity, CustomerRFM, RFMSegment
from samphan.analytics.queries import GROUPS, expected_today, overdue_regulars
from samphan.core.periods import Period
from samphan.customers.models import Customer, Tag
from samphan.sales import services
from samphan.sales.models import Order
from samphan.sales.services import LineInput
from tests.analytics.test_rollups import MONDAYS, at, buy, visit
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


class TestWeekdayTest:
    def test_uniform_week_has_no_usual_day(self):
        assert usual_weekdays([2] * 7) == ((), 1.0)

    def test_five_mondays_and_a_thursday(self):
        days, p_value = usual_weekdays([5, 0, 0, 1, 0, 0, 0])
        assert days == (0,)
        assert p_value < 0.001  # chi-square 24.3, six degrees of freedom

    def test_too_few_days(self):
        assert usual_weekdays([4, 0, 0, 0, 0, 0, 0]) == ((), None)

    def test_two_usual_days(self):
        assert usual_weekdays([6, 0, 0, 0, 5, 0, 0])[0] == (0, 4)

    def test_weak_lean_is_not_a_habit(self):
        # 2 of 5 on Monday: chi-square 4.8, p ≈ 0.57.
        assert usual_weekdays([2, 1, 1, 1, 0, 0, 0])[0] == ()

    def test_p_value_matches_the_table(self):
        """Against the table of chi-square with six degrees of freedom (12.592 at 5%,
        16.812 at 1%); for a 70-day week the statistic is 7/70 · Σo² − 70."""
        assert chi_square_uniform_p([0] * 7) == 1.0
        assert chi_square_uniform_p([10] * 7) == 1.0
        half = 16.812 / 2
        assert math.exp(-half) * (1 + half + half * half / 2) == pytest.approx(0.01, abs=1e-4)
        assert 0.01 < chi_square_uniform_p([20, 10, 10, 10, 10, 5, 5]) < 0.05  # 15.0
        assert chi_square_uniform_p([22, 10, 10, 10, 10, 4, 4]) < 0.01  # 21.6
        assert chi_square_uniform_p([13, 10, 10, 10, 10, 10, 7]) > 0.05  # 1.8

    def test_usual_hour(self):
        hours = [0] * 24
        hours[9], hours[10], hours[18] = 3, 2, 1
        assert usual_hour(hours) == 9 or usual_hour(hours) == 10
        assert usual_hour([1] * 24) is None


class TestCadence:
    def test_regular_monday_customer(self):
        customer = CustomerFactory()
        for day in MONDAYS:
            visit(customer, at(day, 9, 30))
        visit(customer, at(dt.date(2026, 3, 12), 18))
        cadence = cadence_of(CustomerActivity.objects.get(customer=customer), dt.date(2026, 4, 2))
        assert cadence.usual_weekdays == (0,)
        assert cadence.usual_hour in (8, 9, 10)
        assert cadence.mean_interval == pytest.approx(28 / 5)  # 2 → 30 March, 5 intervals
        # Intervals 7, 3, 4, 7, 7: mean 5.6, variance 172/5 − 5.6² = 3.04.
        assert cadence.interval_spread == pytest.approx(1.7, abs=0.05)
        # Last day Monday 30 March + 6 days = 5 April (Sunday), nearest Monday: 6 April.
        assert cadence.next_expected == dt.date(2026, 4, 6)
        assert not cadence.overdue
        late = cadence_of(CustomerActivity.objects.get(customer=customer), dt.date(2026, 5, 1))
        assert late.overdue  # 32 days against a usual 5.6 (limit 12.6)

    def test_no_data(self):
        cadence = cadence_of(None, dt.date(2026, 4, 1))
        assert cadence.days == 0 and not cadence.enough_data and cadence.next_expected is None

    def test_one_day(self):
        customer = CustomerFactory()
        visit(customer, at(MONDAYS[0]))
        cadence = cadence_of(CustomerActivity.objects.get(customer=customer), MONDAYS[1])
        assert cadence.mean_interval is None and cadence.usual_weekdays == ()
        assert not cadence.overdue


class TestLists:
    def test_expected_today_and_overdue(self, admin_user):
        regular, lapsed, random_one = CustomerFactory(), CustomerFactory(), CustomerFactory()
        for day in MONDAYS:
            visit(regular, at(day))
        for day in MONDAYS:
            visit(lapsed, at(day - dt.timedelta(days=56)))  # January and early February
        for offset in range(7):
            visit(random_one, at(dt.date(2026, 3, 2) + dt.timedelta(days=offset)))
        next_monday = dt.date(2026, 4, 6)
        expected = list(expected_today(admin_user, next_monday))
        assert [row.customer for row in expected] == [regular]
        assert expected[0].likelihood == 1.0
        assert not list(expected_today(admin_user, next_monday + dt.timedelta(days=1)))
        overdue = list(overdue_regulars(admin_user, next_monday))
        # The one who came daily for a week in early March is overdue too (29 days
        # against a usual 1); neither has bought, so the order is by id.
        assert [row.customer for row in overdue] == [lapsed, random_one]
        assert overdue[0].since_last == 56 + 7

    def test_visibility(self, make_user):
        rep = make_user(role="sales")
        mine, theirs = CustomerFactory(owner=rep), CustomerFactory()
        for customer in (mine, theirs):
            for day in MONDAYS:
                visit(customer, at(day))
        customers = [row.customer for row in expected_today(rep, dt.date(2026, 4, 6))]
        assert customers == [mine]


def top_customers(user, period, *, by="revenue", limit=10):
    return list(figures(user, TopQuestion(period, by=by, limit=limit)).rows)


def revenue_share(user, period, *, by="revenue"):
    return figures(user, TopQuestion(period, by=by, limit=0)).share


def top_groups(user, period, group, *, by="revenue"):
    return list(figures(user, GroupQuestion(period, group, by=by)).rows)


class TestTopAndShare:
    @pytest.fixture
    def ten_customers(self):
        """Ten customers buying 1 … 10 units of a 100-baht product (VAT inclusive 107)."""
        product = ProductFactory(list_price=D("107.00"), unit_cost=D("60.00"))
        customers = [CustomerFactory() for _ in range(10)]
        for units, customer in enumerate(customers, start=1):
            buy(customer, product, at(MONDAYS[0]), quantity=units)
        return customers, product

    def test_top_three_and_their_share(self, admin_user, ten_customers):
        customers, _product = ten_customers
        rows = top_customers(admin_user, MARCH, limit=3)
        assert [row.customer_id for row in rows] == [c.pk for c in customers[::-1][:3]]
        # Revenue 100 a unit: 1 000, 900, 800 of 5 500.
        assert [row.revenue for row in rows] == [D("1000.00"), D("900.00"), D("800.00")]
        assert [row.share for row in rows] == [0.1818, 0.1636, 0.1455]
        assert rows[-1].cumulative_share == 0.4909
        by_profit = top_customers(admin_user, MARCH, by="profit", limit=1)
        assert by_profit[0].profit == D("400.00")

    def test_concentration_and_pareto(self, admin_user, ten_customers):
        share = revenue_share(admin_user, MARCH)
        assert share.customers == 10 and share.revenue == D("5500.00")
        # Top 1% and top 10% are both the best customer (1 of 10): 1 000 / 5 500.
        # The top 50% is five (4 000), the top 80% eight (5 200).
        assert share.concentration == {
            1: 0.1818, 5: 0.1818, 10: 0.1818, 20: 0.3455, 50: 0.7273, 80: 0.9455, 100: 1.0,
        }  # fmt: skip
        assert share.concentration_customers == {1: 1, 5: 1, 10: 1, 20: 2, 50: 5, 80: 8, 100: 10}
        assert share.pareto[0] == (0.0, 0.0) and share.pareto[-1] == (100.0, 1.0)
        assert len(share.pareto) == 11

    def test_refund_can_make_a_customer_negative_and_ties_break_by_id(self, admin_user):
        product = ProductFactory(list_price=D("107.00"), unit_cost=D("60.00"))
        a, b, c = CustomerFactory(), CustomerFactory(), CustomerFactory()
        for customer in (a, b):
            buy(customer, product, at(MONDAYS[0]))
        order = buy(c, product, at(MONDAYS[0]))
        services.order_refund(actor=None, order=order, lines=[LineInput(product.pk, 1)])
        rows = top_customers(admin_user, MARCH)
        assert [row.customer_id for row in rows] == [a.pk, b.pk, c.pk]
        assert rows[2].revenue == D("0.00")
        Order.objects.filter(pk=order.pk).update(revenue=D("-50.00"))
        assert top_customers(admin_user, MARCH)[2].revenue == D("-50.00")

    def test_empty_and_other_periods(self, admin_user, ten_customers):
        april = Period(dt.date(2026, 4, 1), dt.date(2026, 4, 30))
        assert top_customers(admin_user, april) == []
        share = revenue_share(admin_user, april)
        assert share.customers == 0 and share.concentration[1] == share.concentration[20] == 0.0
        all_time = Period(dt.date(2000, 1, 1), dt.date(2030, 12, 31))
        assert len(top_customers(admin_user, all_time)) == 10

    def test_a_rep_sees_own_figures(self, make_user, ten_customers):
        rep = make_user(role="sales")
        customers, _product = ten_customers
        customers[0].owner = rep
        customers[0].save()
        rows = top_customers(rep, MARCH)
        assert [row.customer_id for row in rows] == [customers[0].pk]
        assert rows[0].share == 1.0
        assert revenue_share(rep, MARCH).revenue == D("100.00")


class TestTopGroups:
    def test_by_tier_tag_and_channel(self, admin_user):
        product = ProductFactory(list_price=D("107.00"), unit_cost=D("60.00"))
        gold = CustomerFactory(tier=Customer.Tier.GOLD)
        plain = CustomerFactory()
        buy(gold, product, at(MONDAYS[0]), quantity=3)
        buy(plain, product, at(MONDAYS[0]), channel="online")
        regular, vip = Tag.objects.create(name="ประจำ"), Tag.objects.create(name="VIP")
        gold.tags.add(regular, vip)
        plain.tags.add(regular)
        tiers = top_groups(admin_user, MARCH, "tier")
        assert [(row.value, row.revenue, row.share) for row in tiers] == [
            ("gold", D("300.00"), 0.75),
            ("none", D("100.00"), 0.25),
        ]
        assert str(tiers[0].label) != "gold"  # the choice's label, not the stored value
        tags = {row.value: row for row in top_groups(admin_user, MARCH, "tag")}
        assert tags["ประจำ"].revenue == D("400.00") and tags["ประจำ"].customers == 2
        assert tags["VIP"].share == 0.75
        channels = top_groups(admin_user, MARCH, "channel", by="profit")
        assert [row.value for row in channels] == ["store", "online"]
        with pytest.raises(ValueError):
            top_groups(admin_user, MARCH, "shoe size")

    def test_summed_per_buyer_as_over_the_orders(self, admin_user):
        """Each buyer's sums joined to their group equal the orders summed group by group:
        several orders a buyer, buyers without a tag or a segment, two tags, an order
        outside the period, a province and a segment."""
        product = ProductFactory(list_price=D("107.00"), unit_cost=D("60.00"))
        north = CustomerFactory(province="เชียงใหม่", industry="retail")
        south = CustomerFactory(province="ภูเก็ต")
        bare = CustomerFactory()
        for customer, quantities in ((north, (1, 2, 3)), (south, (2,)), (bare, (1, 1))):
            for quantity in quantities:
                buy(customer, product, at(MONDAYS[1]), quantity=quantity)
        buy(south, product, at(MONDAYS[0] - dt.timedelta(days=30)), quantity=9)  # February
        north.tags.add(Tag.objects.create(name="ประจำ"), Tag.objects.create(name="ส่ง"))
        CustomerRFM.objects.create(
            customer=north, recency=5, frequency=5, monetary=5, segment=RFMSegment.CHAMPIONS
        )
        paid = Order.objects.filter(status="paid", ordered_at__gte=MARCH.start,
                                    ordered_at__lt=MARCH.end)  # fmt: skip
        for group, path in GROUPS.items():
            expected = {
                row[path] or "": (row["customers"], row["orders"], row["revenue"], row["profit"])
                for row in paid.order_by()
                .values(path)
                .annotate(
                    customers=Count("customer_id", distinct=True),
                    orders=Count("id", distinct=True),
                    revenue=Sum("revenue"),
                    profit=Sum("profit"),
                )
            }
            found = {
                row.value: (row.customers, row.orders, row.revenue, row.profit)
                for row in top_groups(admin_user, MARCH, group)
            }
            assert found == expected, group
        provinces = top_groups(admin_user, MARCH, "province")
        assert [(row.value, row.orders, row.revenue) for row in provinces] == [
            ("เชียงใหม่", 3, D("600.00")), ("", 2, D("200.00")), ("ภูเก็ต", 1, D("200.00")),
        ]  # fmt: skip
        assert sum(row.share for row in provinces) == pytest.approx(1.0)
        for group in GROUPS:  # the page's one pass gives what the two analyses give apart
            for by in ("revenue", "profit"):
                page = figures(admin_user, TopQuestion(MARCH, by=by, limit=2, group=group))
                alone = figures(admin_user, TopQuestion(MARCH, by=by, limit=2))
                assert page.rows == alone.rows and page.share == alone.share
                assert list(page.groups) == top_groups(admin_user, MARCH, group, by=by)


def test_a_snapshot_gives_the_figures_computed_now(admin_user):
    """Engine 1 stores engine 2 or 3's answer as JSON: read back, the same typed figures."""
    product = ProductFactory(list_price=D("107.00"), unit_cost=D("60.00"))
    for units, tier in enumerate([Customer.Tier.GOLD, "", Customer.Tier.GOLD], start=1):
        buy(CustomerFactory(tier=tier or Customer.Tier.NONE), product, at(MONDAYS[0]),
            quantity=units)  # fmt: skip
    question = TopQuestion(MARCH, by="profit", limit=2, group="tier", preset="all_time")
    stored = figures(admin_user, question)  # first asked: computed in line and stored
    assert stored.computed_at is not None
    live = figures(admin_user, replace(question, period=stored.period, preset=""))
    assert replace(stored, computed_at=None) == live and len(live.rows) == 2
