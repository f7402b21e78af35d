"""Loyalty in a real browser: a member checks in at the desk, staff redeem a reward from the
check-in card, the voucher's code is scanned into the counter's box (a scanner types what
the QR holds) and used once, and the member's points panel shows the new balance; and a
friend joins with a member's invitation on a phone, and both are rewarded."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from samphan.accounts.models import Role
from samphan.customers import services as customer_services
from samphan.customers.models import Customer
from samphan.loyalty.models import Reward, Voucher
from samphan.loyalty.public import member_page_link
from samphan.loyalty.services import balance_of, points_record
from samphan.loyalty.services.referrals import referrals_reward
from samphan.sales import services as sales
from samphan.sales.services import LineInput
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_redeem_at_the_desk_and_use_the_voucher_at_the_counter(live_server, page: Page):
    base = live_server.url
    UserFactory(username="desk", role=Role.FRONTDESK, password="desk-pass-123", language="en")
    anne = customer_services.customer_create(
        actor=None,
        fields={"kind": "person", "first_name_en": "Anne"},
        contact_points=[{"kind": "mobile", "value": "0812345678"}],
    )
    points_record(actor=None, customer=anne, kind="adjust", points=1000)
    Reward.objects.create(name="ลาเต้เย็น", name_en="Iced latte", points=300, stock=5)

    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "desk-pass-123")
    page.click("button[type=submit]")
    page.goto(f"{base}/frontdesk/")
    page.fill("input[name=q]", "0812345678")
    page.keyboard.press("Enter")
    expect(page.locator(".arrival-greeting")).to_have_text("Anne")
    rewards = page.locator(".desk-rewards")
    expect(rewards).to_contain_text("1,000")
    rewards.get_by_role("button", name="Redeem").click()  # the second tap

    page.wait_for_url(f"{base}/points/vouchers/*/")
    code = page.locator(".voucher-code").inner_text().strip()
    expect(page.locator(".voucher-qr svg")).to_be_visible()
    assert balance_of(anne.pk) == 700
    screenshot(page, "loyalty-voucher")

    page.goto(f"{base}/points/rewards/")
    page.fill("#voucher-code", code)  # the scanner types the QR's code, then Enter
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/points/vouchers/{code}/")
    expect(page.locator(".voucher-card .badge")).to_have_text("used")
    assert Voucher.objects.get(code=code).status == "used"

    page.goto(f"{base}/points/rewards/")
    page.fill("#voucher-code", code)
    page.keyboard.press("Enter")
    expect(page.locator("#voucher-code-error")).to_contain_text("was used on")

    page.goto(f"{base}/customers/{anne.pk}/")
    panel = page.locator("#points-panel")
    expect(panel.locator(".points-balance")).to_contain_text("700")
    expect(panel).to_contain_text("Iced latte")  # the voucher, used, in the user's language
    expect(page.locator(".timeline")).to_contain_text("-300 points")  # the redemption
    screenshot(page, "loyalty-customer-points")


def test_a_friend_joins_with_the_invitation_and_both_are_rewarded(live_server, browser):
    """On phones: the member opens their page, a friend follows the invitation and signs
    up; after the friend's paid order has stood its 14 days, both see their points."""
    base = live_server.url
    somchai = CustomerFactory(first_name="สมชาย", nickname="ชาย", member_number="M202600001")
    member = browser.new_context(viewport=PHONE, locale="th-TH").new_page()
    member.goto(base + member_page_link(somchai.pk))
    expect(member.locator(".member-hero h1")).to_contain_text("ชาย")
    expect(member.locator(".referral-link input")).to_be_visible()
    screenshot(member, "loyalty-member-page-phone")
    invitation = member.locator(".referral-link input").input_value()
    assert "/p/r/" in invitation

    friend = browser.new_context(viewport=PHONE, locale="th-TH").new_page()
    friend.goto(base + invitation[invitation.index("/p/r/") :])  # as the QR code opens it
    expect(friend.locator(".invitation")).to_contain_text("ชาย")
    friend.fill("input[name=first_name]", "มะลิ")
    friend.fill("input[name=mobile]", "0891112222")
    screenshot(friend, "loyalty-referral-join-phone")
    friend.locator("form button[type=submit]").click()
    expect(friend.locator("h1")).to_have_count(1)
    mali = Customer.objects.get(first_name="มะลิ")
    assert mali.referred_by_id == somchai.pk

    product = ProductFactory(list_price=Decimal("535.00"))
    sales.order_record(actor=None, customer=mali, channel="store",
                       lines=[LineInput(product.pk, 1)])  # fmt: skip
    assert referrals_reward(timezone.localdate() + dt.timedelta(days=14)) == 1

    member.reload()
    expect(member.locator(".member-balance")).to_contain_text("200")
    friend.goto(base + member_page_link(mali.pk))
    expect(friend.locator(".member-balance")).to_contain_text("120")  # 100 + ฿500 / 25
    expect(friend.locator(".ledger")).to_contain_text("+100")
    screenshot(friend, "loyalty-friend-page-phone")


def test_the_months_until_expiry_show_only_when_points_expire_after_months(live_server, page):
    UserFactory(username="boss", role=Role.ADMIN, password="boss-pass-123", language="en")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "boss-pass-123")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/points/settings/")
    months = page.locator("#id_expiry_months")
    expect(months).to_be_visible()  # the default: a number of months after earning
    page.select_option("#id_expiry", "year_end")
    expect(months).to_be_hidden()
    page.select_option("#id_expiry", "months")
    expect(months).to_be_visible()
