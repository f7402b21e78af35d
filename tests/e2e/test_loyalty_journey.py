"""Loyalty in a real browser: a member checks in at the desk, staff redeem a reward from the
check-in card, the voucher's code is scanned into the counter's box (a scanner types what
the QR holds) and used once, and the member's points panel shows the new balance."""

import pytest
from playwright.sync_api import Page, expect

from samphan.accounts.models import Role
from samphan.customers import services as customer_services
from samphan.loyalty.models import Reward, Voucher
from samphan.loyalty.services import balance_of, points_record
from tests.e2e.conftest import screenshot
from tests.factories import UserFactory

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
    expect(panel).to_contain_text("ลาเต้เย็น")  # the voucher, used
    screenshot(page, "loyalty-customer-points")
