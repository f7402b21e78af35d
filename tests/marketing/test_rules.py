"""Segment rules against members computed by hand (see conftest's table), bad rules named
by their path, and one SQL statement however the rules nest."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from samphan.analytics.queries import period_buyer_ids
from samphan.analytics.rfm import rfm_rebuild
from samphan.customers.models import Customer
from samphan.marketing.models import Segment, SegmentMember
from samphan.marketing.rules import RuleError, compile_rules
from samphan.sales.models import Order
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db


def names(rules):
    # Archived customers never belong to a segment (segments are read through
    # queries.customers_matching, which this mirrors).
    found = Customer.objects.active().filter(compile_rules(rules))
    return sorted(found.values_list("first_name", flat=True))


def one(field, op, value=None, **extra):
    rule = {"field": field, "op": op, **extra}
    if value is not None:
        rule["value"] = value
    return {"match": "all", "rules": [rule]}


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (one("tier", "in", ["gold", "silver"]), ["เบน", "แอน"]),
        (one("tier", "not_in", ["gold"]), ["อีฟ", "เบน", "แคท"]),
        (one("vip", "is", True), ["แอน"]),
        (one("stage", "in", ["lead"]), ["แคท"]),
        (one("province", "in", ["กรุงเทพมหานคร", "ภูเก็ต"]), ["อีฟ", "แอน"]),
        (one("birthday_month", "in", [3]), ["แอน"]),
        (one("birthday_month", "in", [12, 1]), ["เบน"]),
        (one("custom.shoe_size", "gte", 40), ["เบน"]),
        (one("custom.shoe_size", "eq", 38), ["แอน"]),
        (one("revenue", "gte", 3000), ["เบน", "แอน"]),
        (one("revenue", "gte", 4000), ["เบน"]),
        # At most: those who never bought count as 0.
        (one("revenue", "lte", 3000), ["อีฟ", "แคท", "แอน"]),
        (one("orders", "gte", 2), ["แอน"]),
        (one("spend_period", "gte", 1000, days=30), ["แอน"]),
        (one("spend_period", "gte", 3000, days=365), ["เบน", "แอน"]),
        (one("spend_period", "lte", 2000, days=30), ["อีฟ", "เบน", "แคท"]),
        (one("orders_period", "gte", 3, days=30), ["แอน"]),
        (one("orders_period", "gte", 1, days=7), ["แอน"]),
        (one("last_purchase", "within_days", 30), ["แอน"]),
        (one("last_purchase", "not_within_days", 30), ["อีฟ", "เบน", "แคท"]),
        (one("last_purchase", "never"), ["อีฟ", "แคท"]),
        (one("visits", "gte", 6), ["อีฟ"]),
        (one("usual_weekday", "in", [0]), ["อีฟ"]),
        (one("usual_weekday", "in", [3, 4]), []),
        (one("consent", "granted", "email:marketing"), ["แอน"]),
        (one("consent", "not_granted", "email:marketing"), ["อีฟ", "เบน", "แคท"]),
        (one("kind", "in", ["company"]), []),
        ({"match": "all", "rules": []}, ["อีฟ", "เบน", "แคท", "แอน"]),
    ],
)
def test_each_field_selects_the_customers_counted_by_hand(people, rules, expected):
    assert names(rules) == sorted(expected)


def test_tags_any_and_none(people):
    assert names(one("tag", "any", [people.coffee.pk])) == sorted(["แอน", "อีฟ"])
    assert names(one("tag", "any", [people.coffee.pk, people.tea.pk])) == sorted(
        ["แอน", "อีฟ", "เบน"]
    )
    assert names(one("tag", "none", [people.tea.pk])) == sorted(["แอน", "แคท"])


def test_age_counts_whole_years(people, settings):
    ann_age = people.ann.birthday
    assert ann_age is not None
    # แอน was born in 1990, เบน in 2000: whatever today is, แอน is over 30 and เบน under 30.
    assert names(one("age", "gte", 30)) == ["แอน"]
    assert names(one("age", "lte", 29)) == ["เบน"]
    assert names(one("age", "gte", 18)) == sorted(["แอน", "เบน"])
    assert names(one("age", "gte", 10**9)) == []
    assert names(one("age", "lte", 10**9)) == sorted(["แอน", "เบน"])


def test_groups_nest_with_and_and_or(people):
    rules = {
        "match": "all",
        "rules": [
            {"field": "tag", "op": "any", "value": [people.coffee.pk]},
            {"match": "any", "rules": [
                {"field": "vip", "op": "is", "value": True},
                {"field": "usual_weekday", "op": "in", "value": [0]},
            ]},
        ],
    }  # fmt: skip
    assert names(rules) == sorted(["แอน", "อีฟ"])
    rules["rules"][1]["rules"][1] = {"field": "province", "op": "in", "value": ["ภูเก็ต"]}
    rules["match"] = "any"
    assert names(rules) == sorted(["แอน", "อีฟ"])
    rules["rules"][0] = {"field": "stage", "op": "in", "value": ["lead"]}
    assert names(rules) == sorted(["แอน", "อีฟ", "แคท"])


def test_rfm_segments(people):
    rfm_rebuild()
    assert names(one("rfm", "in", ["champions", "loyal", "potential_loyalist", "new",
                                   "promising", "need_attention", "about_to_sleep", "at_risk",
                                   "cant_lose", "hibernating", "lost"])) == sorted(["แอน", "เบน"])  # fmt: skip
    assert names(one("rfm", "not_in", ["lost"])) != []


def test_static_lists_as_a_rule(people):
    vips = Segment.objects.create(name="แขกประจำ", kind="static")
    SegmentMember.objects.create(segment=vips, customer=people.cat)
    assert names(one("list", "any", [vips.pk])) == ["แคท"]
    assert sorted(names(one("list", "none", [vips.pk]))) == sorted(["แอน", "เบน", "อีฟ"])


def test_a_segment_is_counted_in_one_statement(people):
    rules = {
        "match": "all",
        "rules": [
            {"field": "tier", "op": "in", "value": ["gold"]},
            {"field": "spend_period", "op": "gte", "value": 100, "days": 90},
            {"field": "consent", "op": "granted", "value": "email:marketing"},
            {"match": "any", "rules": [
                {"field": "tag", "op": "any", "value": [people.coffee.pk]},
                {"field": "usual_weekday", "op": "in", "value": [0, 6]},
                {"field": "rfm", "op": "in", "value": ["champions"]},
            ]},
        ],
    }  # fmt: skip
    q = compile_rules(rules)
    with assert_queries() as queries:
        count = Customer.objects.active().filter(q).count()
    assert count == 1
    assert len(queries) == 1


@pytest.mark.parametrize(
    ("rules", "path", "words"),
    [
        ([], "rules", "group"),
        ({"match": "some", "rules": []}, "rules.match", "all"),
        ({"rules": "x"}, "rules.rules", "list"),
        ({"rules": [{"field": "shoe"}]}, "rules.0.field", "field"),
        ({"rules": [{"field": "tier", "op": "gte", "value": 1}]}, "rules.0.op", "tier"),
        ({"rules": [{"field": "tier", "op": "in", "value": []}]}, "rules.0.value", "at least one"),
        ({"rules": [{"field": "tier", "op": "in", "value": ["diamond"]}]}, "rules.0.value", "not among"),
        ({"rules": [{"field": "revenue", "op": "gte", "value": "lots"}]}, "rules.0.value", "number"),
        ({"rules": [{"field": "revenue", "op": "gte", "value": -5}]}, "rules.0.value", "zero or more"),
        ({"rules": [{"field": "revenue", "op": "gte", "value": "NaN"}]}, "rules.0.value", "number"),
        ({"rules": [{"field": "revenue", "op": "gte", "value": True}]}, "rules.0.value", "number"),
        ({"rules": [{"field": "spend_period", "op": "gte", "value": 5}]}, "rules.0.days", "number"),
        ({"rules": [{"field": "spend_period", "op": "gte", "value": 5, "days": 0.5}]}, "rules.0.days", "whole number"),
        ({"rules": [{"field": "last_purchase", "op": "within_days", "value": 99999}]}, "rules.0.value", "3660"),
        ({"rules": [{"field": "vip", "op": "is", "value": "yes"}]}, "rules.0.value", "yes or no"),
        ({"rules": [{"field": "province", "op": "in", "value": ["กรุง\x00เทพ"]}]}, "rules.0.value", "name"),
        ({"rules": [{"field": "consent", "op": "granted", "value": "fax:marketing"}]}, "rules.0.value", "options"),
        ({"rules": [{"match": "any", "rules": [{"field": "age", "op": "gte"}]}]}, "rules.0.rules.0.value", "number"),
        ({"rules": [{"match": "any", "rules": [{"match": "any", "rules": [{"match": "any", "rules": [
            {"match": "any", "rules": []}]}]}]}]}, "rules.0.rules.0.rules.0.rules.0", "deep"),
        ({"rules": [{"field": "vip", "op": "is", "value": True}] * 51}, "rules.50", "50"),
    ],
)  # fmt: skip
def test_bad_rules_name_the_bad_part(people, rules, path, words):
    with pytest.raises(RuleError) as raised:
        compile_rules(rules)
    assert raised.value.path == path
    assert words.lower() in raised.value.message.lower()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (one("spend_period", "gte", 1000, days=30), ["แอน"]),
        (one("spend_period", "gte", 3000, days=30), ["แอน"]),  # 3 × 1,000: exactly at the bound
        (one("spend_period", "gte", 3000.01, days=30), []),
        (one("spend_period", "gte", 3000, days=365), ["เบน", "แอน"]),
        (one("spend_period", "lte", 2000, days=30), ["อีฟ", "เบน", "แคท"]),
        (one("orders_period", "gte", 3, days=30), ["แอน"]),
        (one("orders_period", "lte", 0, days=365), ["อีฟ", "แคท"]),
    ],
)
def test_periods_from_the_columns_match_the_hand_count(people, monkeypatch, rules, expected):
    """Outside a transaction the process's paid-order columns answer spend and orders in a
    period (a temporary table of the qualifying customers); the same customers as SQL."""
    from samphan.analytics import columns

    monkeypatch.setattr(columns, "LOAD_IN_BACKGROUND", False)
    columns.forget()
    columns.orders_changed()
    try:
        assert columns.paid_orders() is not None  # the columns path is the one taken
        assert names(rules) == sorted(expected)
        since = timezone.now() - dt.timedelta(days=30)
        chosen = period_buyer_ids(since, measure="orders", above=0, table="period_buyers")
        assert chosen is not None
        with connection.cursor() as cursor:  # what it selects: the period's buyers
            cursor.execute(f"SELECT * FROM ({chosen[0]}) AS buyers", chosen[1])  # noqa: S608
            buyers = Order.objects.filter(status=Order.Status.PAID, ordered_at__gte=since)
            assert {row[0] for row in cursor.fetchall()} == set(
                buyers.values_list("customer_id", flat=True)
            )
    finally:
        columns.forget()
