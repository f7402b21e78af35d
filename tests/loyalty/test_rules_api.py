"""/api/v1/loyalty/programme and /api/v1/loyalty/rules: the settings and the earning rules
read and saved through the API, versioned as the services version them (a change saves a
new version, no change saves nothing), a bad value a 422 naming its field that writes
nothing. No role holds the rule and programme permissions yet: a superuser writes."""

import json
from decimal import Decimal

import pytest

from samphan.loyalty.models import EarningRule, Programme
from samphan.loyalty.services import balance_of
from samphan.sales import services as sales
from samphan.sales.models import Category
from samphan.sales.services import LineInput
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
PROGRAMME = "/api/v1/loyalty/programme"
RULES = "/api/v1/loyalty/rules"


@pytest.fixture
def boss(make_user):
    """A superuser's client: the only one who may save the programme and rules for now."""
    return token_client(make_user(username="root", is_superuser=True))


@pytest.fixture
def viewer(make_user):
    return token_client(make_user(role="viewer"))


def send(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def named(response):
    """The fields a 422 names."""
    assert response.status_code == 422, response.content
    return {error["loc"][-1] for error in response.json()["detail"]}


def rule_made(client, **fields):
    response = send(client, "post", RULES, {"name": "LINE x2", **fields})
    assert response.status_code == 201, response.content
    return response.json()


# -- The programme ----------------------------------------------------------------------------


def test_the_programme_before_anyone_saves_it_is_the_defaults(api):
    response = api.get(PROGRAMME)
    assert response.status_code == 200
    assert response.json() == {
        "id": None,
        "baht_per_point": "25.00",
        "max_points_per_order": None,
        "expiry": "months",
        "expiry_months": 24,
        "remind_days": 30,
        "tiers_by": "spend",
        "tier_window_months": 12,
        "tier_review": "monthly",
        "tier_grace_days": 30,
        "silver_from": "10000.00",
        "gold_from": "50000.00",
        "platinum_from": "150000.00",
        "silver_multiplier": "1.00",
        "gold_multiplier": "1.50",
        "platinum_multiplier": "2.00",
        "point_value": "0.2500",
        "referrer_points": 200,
        "referred_points": 100,
        "referral_min_order": "500.00",
        "referral_hold_days": 14,
        "referral_limit_month": 10,
        "referral_review_over": 5,
        "created_at": None,
    }


def test_a_change_saves_a_new_version_and_the_same_values_save_nothing(boss, api):
    first = send(boss, "put", PROGRAMME, {"baht_per_point": "30"})
    assert first.status_code == 200, first.content
    saved = first.json()
    assert saved["id"] is not None and saved["created_at"] is not None
    assert saved["baht_per_point"] == "30.00"
    assert saved["expiry"] == "months" and saved["expiry_months"] == 24  # the rest stays
    assert api.get(PROGRAMME).json() == saved

    again = send(boss, "put", PROGRAMME, {"baht_per_point": "30.00", "expiry": "months"})
    assert again.status_code == 200
    assert again.json()["id"] == saved["id"]
    assert Programme.objects.count() == 1

    capped = send(boss, "put", PROGRAMME, {"max_points_per_order": 500, "expiry": "never"})
    assert capped.status_code == 200
    assert capped.json()["id"] != saved["id"]
    assert capped.json()["baht_per_point"] == "30.00"
    assert (capped.json()["max_points_per_order"], capped.json()["expiry"]) == (500, "never")
    assert Programme.objects.count() == 2
    assert Programme.objects.get(pk=saved["id"]).baht_per_point == Decimal(30)  # kept

    uncapped = send(boss, "put", PROGRAMME, {"max_points_per_order": None})
    assert uncapped.json()["max_points_per_order"] is None
    assert api.get(PROGRAMME).json()["id"] == uncapped.json()["id"] != capped.json()["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"baht_per_point": "0"}, "baht_per_point"),
        ({"baht_per_point": "0.001"}, "baht_per_point"),
        ({"baht_per_point": None}, "baht_per_point"),
        ({"expiry": "weekly"}, "expiry"),
        ({"expiry_months": 0}, "expiry_months"),
        ({"expiry_months": 121}, "expiry_months"),
        ({"max_points_per_order": -1}, "max_points_per_order"),
        ({"baht_per_point": "30", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_setting_is_a_422_naming_it_and_saves_nothing(boss, body, field):
    assert field in named(send(boss, "put", PROGRAMME, body))
    assert not Programme.objects.exists()


# -- Earning rules ----------------------------------------------------------------------------


def test_a_rule_is_made_listed_read_and_changed_in_versions(boss):
    category = Category.objects.create(name="เครื่องดื่ม")
    made = rule_made(
        boss, channel="line", multiplier="2", weekdays=1 | 64, category_id=category.pk,
        min_spend="500", starts_on="2026-12-01",
    )  # fmt: skip
    assert made["multiplier"] == "2.00" and made["min_spend"] == "500.00"
    assert (made["channel"], made["weekdays"], made["category_id"]) == ("line", 65, category.pk)
    assert (made["product_id"], made["replaced_by_id"], made["is_active"]) == (None, None, True)
    assert made["starts_on"] == "2026-12-01" and made["ends_on"] is None
    assert boss.get(f"{RULES}/{made['id']}").json() == made

    changed = send(boss, "put", f"{RULES}/{made['id']}", {"multiplier": "3", "min_spend": None})
    assert changed.status_code == 200, changed.content
    newer = changed.json()
    assert newer["id"] != made["id"]
    assert (newer["multiplier"], newer["min_spend"], newer["replaced_by_id"]) == (
        "3.00",
        None,
        None,
    )
    assert (newer["name"], newer["channel"], newer["weekdays"]) == ("LINE x2", "line", 65)  # kept

    current = boss.get(RULES).json()
    assert [rule["id"] for rule in current["items"]] == [newer["id"]]
    assert current["count"] == 1
    every = boss.get(f"{RULES}?current=false").json()
    assert [rule["id"] for rule in every["items"]] == [newer["id"], made["id"]]
    old = boss.get(f"{RULES}/{made['id']}").json()
    assert old["replaced_by_id"] == newer["id"]
    assert old["multiplier"] == "2.00"  # the old version reads as it was

    same = send(boss, "put", f"{RULES}/{newer['id']}", {"multiplier": "3.00", "channel": "line"})
    assert same.status_code == 200
    assert same.json()["id"] == newer["id"]
    assert EarningRule.objects.count() == 2


def test_the_rules_list_pages(boss):
    ids = [rule_made(boss, bonus_points=n)["id"] for n in (1, 2, 3)]
    page = boss.get(f"{RULES}?page=2&page_size=2").json()
    assert (page["count"], page["page"], page["page_size"]) == (3, 2, 2)
    assert [rule["id"] for rule in page["items"]] == [ids[0]]  # the newest first


def test_a_replaced_version_cannot_be_changed(boss):
    made = rule_made(boss, multiplier="2")
    send(boss, "put", f"{RULES}/{made['id']}", {"is_active": False})
    response = send(boss, "put", f"{RULES}/{made['id']}", {"multiplier": "5"})
    assert named(response)
    assert EarningRule.objects.count() == 2
    assert not EarningRule.objects.filter(multiplier=5).exists()


def test_a_line_double_points_rule_made_through_the_api_doubles_an_orders_points(boss):
    product = ProductFactory(list_price=Decimal("107.00"))  # ฿100 before VAT: 4 points
    rule_made(boss, channel="line", multiplier="2")
    customer, walk_in = CustomerFactory(), CustomerFactory()
    sales.order_record(actor=None, customer=customer, channel="line",
                       lines=[LineInput(product.pk, 1)])  # fmt: skip
    sales.order_record(actor=None, customer=walk_in, channel="store",
                       lines=[LineInput(product.pk, 1)])  # fmt: skip
    assert balance_of(customer.pk) == 8  # 100 × 2 / 25
    assert balance_of(walk_in.pk) == 4


def test_a_rule_paused_through_the_api_no_longer_counts(boss):
    product = ProductFactory(list_price=Decimal("107.00"))
    made = rule_made(boss, channel="line", multiplier="2")
    paused = send(boss, "put", f"{RULES}/{made['id']}", {"is_active": False}).json()
    assert paused["is_active"] is False
    customer = CustomerFactory()
    sales.order_record(actor=None, customer=customer, channel="line",
                       lines=[LineInput(product.pk, 1)])  # fmt: skip
    assert balance_of(customer.pk) == 4


def test_product_and_category_ids_are_resolved_and_null_clears_them(boss):
    product = ProductFactory()
    made = rule_made(boss, product_id=product.pk, bonus_points=10)
    assert made["product_id"] == product.pk
    assert EarningRule.objects.get(pk=made["id"]).product == product
    cleared = send(boss, "put", f"{RULES}/{made['id']}", {"product_id": None}).json()
    assert cleared["product_id"] is None and cleared["id"] != made["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"multiplier": "1"}, "multiplier"),  # and no bonus: changes nothing
        ({"multiplier": "25"}, "multiplier"),
        ({"multiplier": None}, "multiplier"),
        ({"bonus_points": 5, "product_id": 999_999}, "product_id"),
        ({"bonus_points": 5, "category_id": 999_999}, "category_id"),
        ({"bonus_points": 5, "weekdays": 200}, "weekdays"),
        ({"bonus_points": 5, "weekdays": -1}, "weekdays"),
        ({"bonus_points": 5, "channel": "fax"}, "channel"),
        ({"bonus_points": 5, "name": "   "}, "name"),
        ({"bonus_points": 5, "starts_on": "2026-12-31", "ends_on": "2026-12-01"}, "ends_on"),
        ({"bonus_points": 5, "colour": "red"}, "colour"),
    ],
)
def test_a_bad_rule_is_a_422_naming_the_field_and_saves_nothing(boss, body, field):
    assert field in named(send(boss, "post", RULES, {"name": "โปร", **body}))
    assert not EarningRule.objects.exists()


def test_a_rule_naming_a_product_and_a_category_is_refused_on_category_id(boss):
    product, category = ProductFactory(), Category.objects.create(name="ขนม")
    body = {"name": "โปร", "bonus_points": 5, "product_id": product.pk, "category_id": category.pk}
    assert named(send(boss, "post", RULES, body)) == {"category_id"}
    assert not EarningRule.objects.exists()


def test_a_bad_change_is_a_422_and_keeps_the_version_in_force(boss):
    made = rule_made(boss, multiplier="2")
    assert "weekdays" in named(send(boss, "put", f"{RULES}/{made['id']}", {"weekdays": 128}))
    assert "product_id" in named(
        send(boss, "put", f"{RULES}/{made['id']}", {"product_id": 999_999})
    )
    assert list(EarningRule.objects.values_list("id", "replaced_by_id")) == [(made["id"], None)]


# -- Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", PROGRAMME),
        ("put", PROGRAMME),
        ("get", RULES),
        ("post", RULES),
        ("get", f"{RULES}/1"),
        ("put", f"{RULES}/1"),
    ],
)
def test_anonymous_is_refused(client, method, url):
    if method == "get":
        assert client.get(url).status_code == 401
    else:
        assert send(client, method, url, {"bonus_points": 5}).status_code == 401


def test_a_viewer_reads_the_programme_but_changes_nothing(boss, viewer):
    made = rule_made(boss, multiplier="2")
    assert viewer.get(PROGRAMME).status_code == 200
    assert send(viewer, "put", PROGRAMME, {"baht_per_point": "10"}).status_code == 403
    assert send(viewer, "post", RULES, {"name": "โปร", "bonus_points": 5}).status_code == 403
    assert send(viewer, "put", f"{RULES}/{made['id']}", {"multiplier": "9"}).status_code == 403
    assert not Programme.objects.exists()
    assert list(EarningRule.objects.values_list("id", flat=True)) == [made["id"]]


def test_an_unknown_rule_is_404(boss):
    assert boss.get(f"{RULES}/999999").status_code == 404
    assert send(boss, "put", f"{RULES}/999999", {"multiplier": "2"}).status_code == 404
