"""The reward pages: the catalogue, redeeming from the customer's points panel, the
voucher's page with its QR code, using it at the counter once, cancelling it."""

import pytest

from samphan.core.models import AuditEvent
from samphan.loyalty.models import Reward, Voucher
from samphan.loyalty.services import balance_of, points_record
from tests.analytics.test_views import login
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
REWARD = {"name": "ลาเต้เย็น", "name_en": "Iced latte", "description": "แก้วใหญ่",
          "points": "300", "cash": "0", "stock": "5", "per_member": "", "min_tier": "",
          "starts_on": "", "ends_on": "", "voucher_days": "14", "is_active": "on"}  # fmt: skip


@pytest.fixture
def member(db):
    customer = CustomerFactory()
    points_record(actor=None, customer=customer, kind="adjust", points=1000)
    return customer


def test_the_catalogue_is_kept_on_its_page(admin_user):
    client = login(admin_user)
    assert "No rewards yet" in client.get("/points/rewards/").content.decode()
    assert client.post("/points/rewards/new/", REWARD).status_code == 302
    reward = Reward.objects.get()
    assert (reward.points, reward.stock, reward.voucher_days) == (300, 5, 14)
    listed = client.get("/points/rewards/").content.decode()
    assert "ลาเต้เย็น" in listed and "300" in listed
    unchanged = client.post(f"/points/rewards/{reward.pk}/", REWARD, follow=True)
    assert "Nothing changed" in unchanged.content.decode()
    refused = client.post("/points/rewards/new/", {**REWARD, "points": "0"})
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.content.decode()
    assert Reward.objects.count() == 1
    assert AuditEvent.objects.filter(subject_type="loyalty.reward").count() == 1


def test_redeem_from_the_panel_then_use_the_voucher_once(admin_user, member):
    reward = Reward.objects.create(name="ลาเต้เย็น", points=300)
    client = login(admin_user)
    panel = client.get(f"/points/customers/{member.pk}/").content.decode()
    assert "ลาเต้เย็น" in panel and f"/points/customers/{member.pk}/rewards/{reward.pk}/" in panel
    redeemed = client.post(f"/points/customers/{member.pk}/rewards/{reward.pk}/", {"key": "k1"})
    voucher = Voucher.objects.get()
    assert redeemed.status_code == 302 and redeemed.url == f"/points/vouchers/{voucher.code}/"
    assert balance_of(member.pk) == 700
    again = client.post(f"/points/customers/{member.pk}/rewards/{reward.pk}/", {"key": "k1"})
    assert again.status_code == 302 and Voucher.objects.count() == 1  # a double tap posts once
    page = client.get(f"/points/vouchers/{voucher.code}/").content.decode()
    assert "<svg" in page and voucher.code in page
    used = client.post("/points/vouchers/use/", {"code": voucher.code.lower()})
    assert used.status_code == 302 and Voucher.objects.get().status == "used"
    twice = client.post("/points/vouchers/use/", {"code": voucher.code})
    assert twice.status_code == 200 and "was used on" in twice.content.decode()
    unknown = client.post("/points/vouchers/use/", {"code": "VNOTHING1"})
    assert unknown.status_code == 200 and "No voucher has this code" in unknown.content.decode()


def test_a_refused_reward_says_why_on_the_panel(admin_user, member):
    Reward.objects.create(name="กระเป๋า", points=5000)
    panel = login(admin_user).get(f"/points/customers/{member.pk}/").content.decode()
    assert "Only 1,000 points are available." in panel


def test_cancel_gives_the_points_back(admin_user, member):
    reward = Reward.objects.create(name="ลาเต้เย็น", points=300)
    client = login(admin_user)
    client.post(f"/points/customers/{member.pk}/rewards/{reward.pk}/")
    voucher = Voucher.objects.get()
    client.post(f"/points/vouchers/{voucher.code}/cancel/")
    assert Voucher.objects.get().status == "cancelled" and balance_of(member.pk) == 1000


def test_who_may(make_user, member):
    reward = Reward.objects.create(name="ลาเต้เย็น", points=300)
    viewer = login(make_user(role="viewer"))
    assert viewer.get("/points/rewards/").status_code == 200
    assert viewer.get("/points/rewards/new/").status_code == 403
    assert viewer.post(f"/points/customers/{member.pk}/rewards/{reward.pk}/").status_code == 403
    desk = login(make_user(role="frontdesk"))
    assert desk.post(f"/points/customers/{member.pk}/rewards/{reward.pk}/").status_code == 302
    code = Voucher.objects.get().code
    stranger = login(make_user())  # sees no customer
    assert stranger.get(f"/points/vouchers/{code}/").status_code == 403  # no points to see


def test_the_desk_card_offers_what_the_member_can_have(admin_user, member):
    from samphan.frontdesk.views import customer_card

    Reward.objects.create(name="ลาเต้เย็น", points=300)
    Reward.objects.create(name="กระเป๋า", points=5000)  # more than their 1,000
    card = customer_card(admin_user, member)
    assert f"/points/desk/{member.pk}/" in card["panel_urls"]
    section = login(admin_user).get(f"/points/desk/{member.pk}/").content.decode()
    assert "ลาเต้เย็น" in section and "กระเป๋า" not in section and "1,000" in section
