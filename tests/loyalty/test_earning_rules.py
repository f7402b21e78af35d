"""Earning rules, each against points computed by hand. The base rate is a point for every
฿25; product A sells at ฿100 before VAT, product B at ฿200 in the category "drinks"."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samphan.core.models import AuditEvent
from samphan.loyalty.models import EarningRule, PointsEntry, Programme
from samphan.loyalty.services import balance_of
from samphan.loyalty.services.rules import programme_save, rule_save
from samphan.sales import services as sales
from samphan.sales.models import Category
from samphan.sales.services import LineInput
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)  # 10:00 on a Monday in Bangkok
TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def shop(db):
    drinks = Category.objects.create(name="เครื่องดื่ม", name_en="drinks")
    return {
        "A": ProductFactory(list_price=Decimal("107.00")),
        "B": ProductFactory(list_price=Decimal("214.00"), category=drinks),
        "drinks": drinks,
    }


def rule(**fields):
    return rule_save(actor=None, rule=None, fields={"name": "โปร", **fields})


def buy(customer, shop, *, channel="store", at=TUESDAY, **quantities):
    lines = [LineInput(shop[name].pk, quantity) for name, quantity in quantities.items()]
    order, _ = sales.order_record(actor=None, customer=customer, channel=channel, lines=lines,
                                  ordered_at=at)  # fmt: skip
    return order


def earned(order) -> int:
    return sum(PointsEntry.objects.filter(order=order).values_list("points", flat=True))


def test_double_points_on_line(shop):
    rule(channel="line", multiplier=2)
    assert earned(buy(CustomerFactory(), shop, channel="line", A=1)) == 8  # 100 × 2 / 25
    assert earned(buy(CustomerFactory(), shop, channel="store", A=1)) == 4


def test_double_points_on_mondays_in_bangkok(shop):
    rule(weekdays=1, multiplier=2)  # Monday
    assert earned(buy(CustomerFactory(), shop, at=MONDAY, A=1)) == 8
    sunday_utc_monday_bangkok = dt.datetime(2026, 11, 29, 18, 0, tzinfo=dt.UTC)  # 01:00 Mon
    assert earned(buy(CustomerFactory(), shop, at=sunday_utc_monday_bangkok, A=1)) == 8
    assert earned(buy(CustomerFactory(), shop, at=TUESDAY, A=1)) == 4


def test_multipliers_do_not_compound_the_highest_wins_per_line(shop):
    rule(channel="line", multiplier=2)
    rule(product=shop["B"], multiplier=3)
    # A at ×2, B at max(2, 3) = ×3: (100 × 2 + 200 × 3) / 25 = 32 (compounded: 40).
    assert earned(buy(CustomerFactory(), shop, channel="line", A=1, B=1)) == 32


def test_a_category_multiplier_and_its_bonus(shop):
    rule(category=shop["drinks"], multiplier=5, bonus_points=7)
    assert earned(buy(CustomerFactory(), shop, A=1, B=1)) == 4 + 40 + 7  # 100/25 + 200×5/25
    assert earned(buy(CustomerFactory(), shop, A=1)) == 4  # no drink: no bonus


def test_a_tier_multiplier(shop):
    rule(tier="gold", multiplier=Decimal("1.5"))
    assert earned(buy(CustomerFactory(tier="gold"), shop, A=1)) == 6  # 150 / 25
    assert earned(buy(CustomerFactory(tier="silver"), shop, A=1)) == 4


def test_a_birthday_month_bonus(shop):
    rule(birthday_month=True, bonus_points=50)
    assert earned(buy(CustomerFactory(birthday=dt.date(1990, 12, 1)), shop, A=1)) == 54
    assert earned(buy(CustomerFactory(birthday=dt.date(1990, 1, 1)), shop, A=1)) == 4
    assert earned(buy(CustomerFactory(birthday=None), shop, A=1)) == 4


def test_a_first_purchase_bonus_once(shop):
    rule(first_purchase=True, bonus_points=100)
    customer = CustomerFactory()
    assert earned(buy(customer, shop, A=1)) == 104
    assert earned(buy(customer, shop, A=1)) == 4
    # A back-dated order is not "first" once another was paid before it either way: only
    # the earliest paid order is.
    assert earned(buy(customer, shop, at=TUESDAY - dt.timedelta(days=30), A=1)) == 104


def test_a_bonus_from_a_minimum_spend(shop):
    rule(min_spend=Decimal(300), bonus_points=20)
    assert earned(buy(CustomerFactory(), shop, A=1)) == 4
    assert earned(buy(CustomerFactory(), shop, A=3)) == 12 + 20


def test_the_cap_per_order(shop):
    programme_save(actor=None, fields={"max_points_per_order": 10})
    rule(multiplier=2)
    assert earned(buy(CustomerFactory(), shop, A=3)) == 10  # 300 × 2 / 25 = 24, capped


def test_validity_dates_and_inactive_rules(shop):
    day = dt.date(2026, 12, 1)  # TUESDAY in Bangkok
    rule(multiplier=2, starts_on=day + dt.timedelta(days=1))
    rule(multiplier=3, ends_on=day - dt.timedelta(days=1))
    rule(multiplier=4, is_active=False)
    assert earned(buy(CustomerFactory(), shop, A=1)) == 4
    rule(multiplier=5, starts_on=day, ends_on=day)
    assert earned(buy(CustomerFactory(), shop, A=1)) == 20


def test_a_return_takes_back_what_its_lines_earned_under_the_old_rules(shop):
    line_x2 = rule(channel="line", multiplier=2)
    rule(product=shop["B"], multiplier=3)
    customer = CustomerFactory()
    order = buy(customer, shop, channel="line", A=1, B=1)  # 32, as above
    rule_save(actor=None, rule=line_x2, fields={"multiplier": 10})  # changed since
    sales.order_refund(actor=None, order=order, lines=[LineInput(shop["B"].pk, 1)])
    assert earned(order) == 8  # A alone at ×2; the ×10 is for orders from now on
    assert balance_of(customer.pk) == 8


def test_a_bonus_stays_with_a_partial_return_and_goes_with_the_whole(shop):
    rule(bonus_points=30)
    customer = CustomerFactory()
    order = buy(customer, shop, A=2)  # 8 + 30
    sales.order_refund(actor=None, order=order, lines=[LineInput(shop["A"].pk, 1)])
    assert earned(order) == 4 + 30
    sales.order_refund(actor=None, order=order, lines=[LineInput(shop["A"].pk, 1)])
    assert earned(order) == 0 and balance_of(customer.pk) == 0


def test_rules_are_versioned_and_audited(shop):
    first = rule(channel="line", multiplier=2)
    same = rule_save(actor=None, rule=first, fields={"multiplier": Decimal("2.00")})
    assert same.pk == first.pk and EarningRule.objects.count() == 1  # nothing changed
    second = rule_save(actor=None, rule=first, fields={"multiplier": 3})
    first.refresh_from_db()
    assert first.replaced_by_id == second.pk and second.channel == "line"
    with pytest.raises(ValidationError) as raised:
        rule_save(actor=None, rule=first, fields={"multiplier": 4})
    assert "newest version" in raised.value.message_dict["name"][0]
    order = buy(CustomerFactory(), shop, channel="line", A=1)
    assert PointsEntry.objects.get(order=order).basis["rules"] == [second.pk]
    assert AuditEvent.objects.filter(subject_type="loyalty.earningrule").count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"multiplier": 1}, "multiplier", "changes nothing"),
        ({"multiplier": 0, "bonus_points": 5}, "multiplier", "greater than or equal to 1"),
        ({"multiplier": 21}, "multiplier", "less than or equal to 20"),
        ({"multiplier": 2, "name": " "}, "name", "blank"),
        ({"multiplier": 2, "channel": "fax"}, "channel", "not a valid choice"),
        ({"multiplier": 2, "starts_on": dt.date(2026, 2, 1), "ends_on": dt.date(2026, 1, 1)},
         "ends_on", "before the first"),
    ],
)  # fmt: skip
def test_bad_rules_name_the_field(fields, field, words):
    with pytest.raises(ValidationError) as raised:
        rule_save(actor=None, rule=None, fields={"name": "โปร", **fields})
    assert words in " ".join(raised.value.message_dict[field])
    assert not EarningRule.objects.exists()


def test_product_and_category_together_are_refused(shop):
    with pytest.raises(ValidationError) as raised:
        rule(multiplier=2, product=shop["A"], category=shop["drinks"])
    assert "not both" in raised.value.message_dict["category"][0]


def test_the_programme_is_versioned(shop):
    first = programme_save(actor=None, fields={"baht_per_point": Decimal(10)})
    assert programme_save(actor=None, fields={"baht_per_point": Decimal("10.00")}).pk == first.pk
    customer = CustomerFactory()
    order = buy(customer, shop, A=1)
    assert earned(order) == 10
    programme_save(actor=None, fields={"baht_per_point": Decimal(50)})
    sales.order_set_status(actor=None, order=order, status="cancelled")
    sales.order_set_status(actor=None, order=order, status="paid")
    assert earned(order) == 10  # restored under the basis it first earned with
    assert Programme.objects.count() == 2
    with pytest.raises(ValidationError) as raised:
        programme_save(actor=None, fields={"baht_per_point": Decimal(0)})
    assert "baht_per_point" in raised.value.message_dict
