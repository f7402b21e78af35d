"""/api/v1/loyalty/rewards and the vouchers they make: rewards listed, added and changed
(a bad value a 422 naming its field that saves nothing); a redemption through the API takes
the points once per ``Idempotency-Key``; a voucher read by its code, used once, cancelled
(the points come back), seen only with its customer."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from samphan.loyalty.models import Reward, Voucher
from samphan.loyalty.services import points_record
from samphan.sales import services as sales
from samphan.sales.services import LineInput
from tests.conftest import token_client
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db
REWARDS = "/api/v1/loyalty/rewards"


@pytest.fixture
def viewer(make_user):
    return token_client(make_user(role="viewer"))


@pytest.fixture
def member(db):
    customer = CustomerFactory()
    points_record(actor=None, customer=customer, kind="adjust", points=1000)
    return customer


@pytest.fixture
def latte(db):
    return Reward.objects.create(name="ลาเต้เย็น", name_en="Iced latte", points=300,
                                 stock=5, per_member=2, voucher_days=14)  # fmt: skip


def send(client, method, url, body=None, **headers):
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(url, data=data, content_type="application/json", headers=headers)


def named(response):
    """The fields a 422 names."""
    assert response.status_code == 422, response.content
    return {error["loc"][-1] for error in response.json()["detail"]}


def balance(client, customer):
    response = client.get(f"/api/v1/customers/{customer.pk}/points")
    assert response.status_code == 200, response.content
    return response.json()["points"]


def redeem(client, customer, reward, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return send(client, "post", f"/api/v1/customers/{customer.pk}/rewards/{reward.pk}/redeem",
                **headers)  # fmt: skip


def redeemed(client, customer, reward, key=None):
    response = redeem(client, customer, reward, key)
    assert response.status_code == 201, response.content
    return response.json()


# -- Rewards ----------------------------------------------------------------------------------


def test_a_reward_is_created_listed_and_changed(api):
    response = send(api, "post", REWARDS, {
        "name": "เค้กช็อกโกแลต", "name_en": "Chocolate cake", "points": 500, "cash": "20",
        "stock": 10, "min_tier": "silver", "starts_on": "2026-12-01", "voucher_days": 7,
    })  # fmt: skip
    assert response.status_code == 201, response.content
    made = response.json()
    assert made == {
        "id": made["id"],
        "name": "เค้กช็อกโกแลต",
        "name_en": "Chocolate cake",
        "description": "",
        "points": 500,
        "cash": "20.00",
        "stock": 10,
        "per_member": None,
        "min_tier": "silver",
        "starts_on": "2026-12-01",
        "ends_on": None,
        "voucher_days": 7,
        "is_active": True,
    }
    assert Reward.objects.get(pk=made["id"]).cash == Decimal(20)

    listed = api.get(REWARDS).json()
    assert listed["count"] == 1 and listed["items"] == [made]

    url = f"{REWARDS}/{made['id']}"
    changed = send(api, "patch", url, {"points": 450, "stock": None, "is_active": False})
    assert changed.status_code == 200, changed.content
    assert changed.json() == {**made, "points": 450, "stock": None, "is_active": False}
    reward = Reward.objects.get(pk=made["id"])
    assert (reward.points, reward.stock, reward.is_active) == (450, None, False)
    assert reward.name_en == "Chocolate cake"  # left out: kept


def test_the_list_offers_active_rewards_unless_asked_for_every_one(api, latte):
    Reward.objects.create(name="ของที่ระลึก", points=100, is_active=False)
    assert [r["name"] for r in api.get(REWARDS).json()["items"]] == ["ลาเต้เย็น"]
    every = api.get(f"{REWARDS}?offered=false").json()
    assert [r["name"] for r in every["items"]] == ["ของที่ระลึก", "ลาเต้เย็น"]
    assert (
        api.get(f"{REWARDS}?offered=false&page_size=1&page=2").json()["items"][0]["name"]
        == "ลาเต้เย็น"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "กาแฟ", "points": 0}, "points"),
        ({"name": "กาแฟ", "points": 1_000_001}, "points"),
        ({"name": "กาแฟ", "points": 10, "colour": "red"}, "colour"),
        ({"name": "กาแฟ", "points": 10, "min_tier": "diamond"}, "min_tier"),
        ({"name": "กาแฟ", "points": 10, "cash": "-1"}, "cash"),
        ({"name": "กาแฟ", "points": 10, "cash": "1.234"}, "cash"),
        ({"name": "กาแฟ", "points": 10, "voucher_days": 0}, "voucher_days"),
        ({"name": "กาแฟ", "points": 10, "per_member": -1}, "per_member"),
        ({"name": "", "points": 10}, "name"),
        ({"name": "ก" * 121, "points": 10}, "name"),
        ({"points": 10}, "name"),
        ({"name": "กาแฟ", "points": 10, "starts_on": "2569-01-01"}, "starts_on"),
        ({"name": "กาแฟ", "points": 10, "cash": None}, "cash"),
        ({"name": "กาแฟ", "points": 10, "starts_on": "2026-12-10", "ends_on": "2026-12-01"},
         "ends_on"),
    ],
)  # fmt: skip
def test_a_bad_reward_is_a_422_naming_the_field_and_saves_nothing(api, body, field):
    assert named(send(api, "post", REWARDS, body)) == {field}
    assert not Reward.objects.exists()


def test_a_bad_change_is_a_422_and_changes_nothing(api, latte):
    url = f"{REWARDS}/{latte.pk}"
    assert named(send(api, "patch", url, {"points": 0})) == {"points"}
    assert named(send(api, "patch", url, {"name": None})) == {"name"}
    assert named(send(api, "patch", url, {"ends_on": "2020-01-01", "starts_on": "2021-01-01"})) == {
        "ends_on"
    }
    latte.refresh_from_db()
    assert (latte.points, latte.name, latte.ends_on) == (300, "ลาเต้เย็น", None)


def test_an_unknown_reward_is_404(api, member):
    assert send(api, "patch", f"{REWARDS}/999999", {"points": 5}).status_code == 404
    assert redeem(api, member, Reward(pk=999999)).status_code == 404
    assert balance(api, member) == 1000


# -- Redeeming --------------------------------------------------------------------------------


def test_a_redemption_takes_the_points_once_per_key(api, member, latte):
    first = redeem(api, member, latte, key="till-7-0001")
    assert first.status_code == 201, first.content
    voucher = first.json()
    assert voucher["customer_id"] == member.pk and voucher["reward_id"] == latte.pk
    assert voucher["reward_name"] == "ลาเต้เย็น" and voucher["status"] == "issued"
    assert (voucher["points"], voucher["cash"], voucher["order_id"]) == (300, "0.00", None)
    assert voucher["code"].startswith("V") and voucher["used_at"] is None
    assert balance(api, member) == 700

    again = redeem(api, member, latte, key="till-7-0001")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == voucher["id"]
    assert balance(api, member) == 700
    assert Voucher.objects.count() == 1
    latte.refresh_from_db()
    assert latte.stock == 4


def test_a_key_used_for_another_customer_names_the_header(api, member, latte):
    redeemed(api, member, latte, key="shared")
    other = CustomerFactory()
    points_record(actor=None, customer=other, kind="adjust", points=1000)
    assert named(redeem(api, other, latte, key="shared")) == {"Idempotency-Key"}
    assert named(redeem(api, other, latte, key="k" * 101)) == {"Idempotency-Key"}
    assert balance(api, other) == 1000


def test_the_limit_per_member_is_a_422_on_reward(api, member, latte):
    redeemed(api, member, latte)
    redeemed(api, member, latte)
    assert named(redeem(api, member, latte)) == {"reward"}
    assert balance(api, member) == 400


def test_not_enough_points_is_a_422_on_reward(api, latte):
    poor = CustomerFactory()
    points_record(actor=None, customer=poor, kind="adjust", points=299)
    response = redeem(api, poor, latte)
    assert named(response) == {"reward"}
    assert balance(api, poor) == 299
    assert not Voucher.objects.exists()


def test_a_reward_not_offered_is_a_422_on_reward(api, member, latte):
    send(api, "patch", f"{REWARDS}/{latte.pk}", {"is_active": False})
    assert named(redeem(api, member, latte)) == {"reward"}
    assert balance(api, member) == 1000


# -- Vouchers ---------------------------------------------------------------------------------


def test_a_voucher_is_read_by_its_code_and_listed_with_its_customer(api, member, latte):
    first = redeemed(api, member, latte)
    second = redeemed(api, member, latte)
    response = api.get(f"/api/v1/vouchers/{first['code']}")
    assert response.status_code == 200 and response.json() == first
    assert api.get(f"/api/v1/vouchers/{first['code'].lower()}").json()["id"] == first["id"]
    listed = api.get(f"/api/v1/customers/{member.pk}/vouchers").json()
    assert listed["count"] == 2
    assert [v["id"] for v in listed["items"]] == [second["id"], first["id"]]
    assert api.get(f"/api/v1/customers/{CustomerFactory().pk}/vouchers").json()["count"] == 0


def test_a_voucher_is_used_once(api, member, latte):
    code = redeemed(api, member, latte)["code"]
    used = send(api, "post", f"/api/v1/vouchers/{code}/use")
    assert used.status_code == 200, used.content
    assert used.json()["status"] == "used" and used.json()["used_at"]
    assert Voucher.objects.get(code=code).status == "used"
    assert named(send(api, "post", f"/api/v1/vouchers/{code}/use", {})) == {"code"}
    assert named(send(api, "post", f"/api/v1/vouchers/{code}/cancel")) == {"code"}
    assert balance(api, member) == 700


def test_a_voucher_used_in_an_order_must_name_one_the_caller_sees(api, member, latte):
    code = redeemed(api, member, latte)["code"]
    url = f"/api/v1/vouchers/{code}/use"
    assert named(send(api, "post", url, {"order_id": 999999})) == {"order_id"}
    assert named(send(api, "post", url, {"order_id": 1, "extra": 1})) == {"extra"}
    product = ProductFactory(list_price=Decimal("107.00"))
    theirs, _ = sales.order_record(actor=None, customer=CustomerFactory(), channel="store",
                                   lines=[LineInput(product.pk, 1)])  # fmt: skip
    assert named(send(api, "post", url, {"order_id": theirs.pk})) == {"code"}
    assert Voucher.objects.get(code=code).status == "issued"
    mine, _ = sales.order_record(actor=None, customer=member, channel="store",
                                 lines=[LineInput(product.pk, 1)])  # fmt: skip
    used = send(api, "post", url, {"order_id": mine.pk})
    assert used.status_code == 200, used.content
    assert used.json()["order_id"] == mine.pk and used.json()["status"] == "used"


def test_cancelling_an_unused_voucher_gives_the_points_back(api, member, latte):
    code = redeemed(api, member, latte)["code"]
    assert balance(api, member) == 700
    cancelled = send(api, "post", f"/api/v1/vouchers/{code}/cancel")
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert balance(api, member) == 1000
    latte.refresh_from_db()
    assert latte.stock == 5
    assert named(send(api, "post", f"/api/v1/vouchers/{code}/use")) == {"code"}


@pytest.mark.parametrize("tail", ["", "/use", "/cancel"])
def test_an_unknown_code_is_404(api, tail):
    method = "get" if not tail else "post"
    assert send(api, method, f"/api/v1/vouchers/VNOSUCH22{tail}").status_code == 404


def test_a_voucher_of_a_customer_the_caller_cannot_see_is_404(make_user, member, latte, api):
    code = redeemed(api, member, latte)["code"]
    owner = make_user(role="sales", username="owner")
    member.owner = owner
    member.save(update_fields=["owner"])
    assert token_client(owner).get(f"/api/v1/vouchers/{code}").status_code == 200
    stranger = token_client(make_user(role="sales", username="stranger", team=None))
    assert stranger.get(f"/api/v1/vouchers/{code}").status_code == 404
    assert send(stranger, "post", f"/api/v1/vouchers/{code}/use").status_code == 404
    assert send(stranger, "post", f"/api/v1/vouchers/{code}/cancel").status_code == 404
    assert Voucher.objects.get(code=code).status == "issued"


# -- Who may --------------------------------------------------------------------------------


def test_a_viewer_may_not_redeem_use_cancel_or_change_rewards(api, viewer, member, latte):
    code = redeemed(api, member, latte)["code"]
    assert redeem(viewer, member, latte).status_code == 403
    assert send(viewer, "post", f"/api/v1/vouchers/{code}/use").status_code == 403
    assert send(viewer, "post", f"/api/v1/vouchers/{code}/cancel").status_code == 403
    assert send(viewer, "post", REWARDS, {"name": "กาแฟ", "points": 10}).status_code == 403
    assert send(viewer, "patch", f"{REWARDS}/{latte.pk}", {"points": 1}).status_code == 403
    assert Voucher.objects.get(code=code).status == "issued"
    assert Reward.objects.count() == 1 and Reward.objects.get().points == 300
    assert balance(api, member) == 700


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", REWARDS),
        ("post", REWARDS),
        ("patch", f"{REWARDS}/1"),
        ("post", "/api/v1/customers/1/rewards/1/redeem"),
        ("get", "/api/v1/customers/1/vouchers"),
        ("get", "/api/v1/vouchers/VABCDEFGH"),
        ("post", "/api/v1/vouchers/VABCDEFGH/use"),
        ("post", "/api/v1/vouchers/VABCDEFGH/cancel"),
    ],
)
def test_anonymous_is_refused(db, method, url):
    assert send(Client(), method, url, {} if method != "get" else None).status_code == 401
