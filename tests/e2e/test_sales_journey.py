"""A sale in a real browser: a deal dragged across the board (mouse and touch-sized
screens), an order recorded, the purchase on the customer page. Screenshots go to
test-artifacts/."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from samphan.sales.models import Deal, Order, Stage
from tests.e2e.conftest import screenshot
from tests.e2e.test_customer_journey import log_in
from tests.factories import CustomerFactory, ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_deal_moves_on_the_board_and_an_order_reaches_the_customer_page(live_server, page: Page):
    base = live_server.url
    log_in(page, base)
    customer = CustomerFactory(first_name="มาลี", last_name="ใจดี", display_name="มาลี ใจดี")
    ProductFactory(sku="TEA", name="ชาเขียวมัทฉะ", list_price=Decimal("250.00"))

    # A new deal, made in the form, starts where the form puts it.
    page.goto(f"{base}/sales/deals/new/?customer={customer.pk}")
    page.fill("input[name=title]", "ชุดของขวัญปีใหม่ 200 ชุด")
    page.select_option("select[name=stage]", label="การขายหลัก · สนใจ")
    page.fill("input[name=amount]", "85000")
    page.click("form.form-card button[type=submit]")
    expect(page.locator("h1")).to_contain_text("ชุดของขวัญปีใหม่")
    deal = Deal.objects.get()

    # Drag it to Quoted on the board; the server keeps the move and the totals follow.
    quoted = Stage.objects.get(pipeline__is_default=True, name_en="Quoted")
    page.goto(f"{base}/sales/pipeline/")
    card = page.locator(".deal-card", has_text="ชุดของขวัญปีใหม่")
    target = page.locator(f".board-cards[data-stage='{quoted.pk}']")
    card.hover()
    page.mouse.down()
    box = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20, steps=12)
    page.mouse.up()
    expect(target.locator(".deal-card")).to_have_count(1)
    expect(page.locator(f"#stage-{quoted.pk}").locator("xpath=..")).to_contain_text("฿85,000.00")
    deal.refresh_from_db()
    assert deal.stage == quoted
    screenshot(page, "10-pipeline-board")

    # Record an order for the customer; it shows on their page with the roll-up.
    page.goto(f"{base}/sales/orders/new/?customer={customer.pk}")
    page.select_option("select[name=lines-0-product]", label="ชาเขียวมัทฉะ (TEA)")
    page.fill("input[name=lines-0-quantity]", "2")
    page.click("form.form-card button[type=submit]")
    expect(page.locator("h1")).to_contain_text("SO-")
    order = Order.objects.get()
    assert order.total == Decimal("500.00")
    screenshot(page, "11-order")
    page.goto(f"{base}/customers/{customer.pk}/")
    purchases = page.locator("#purchases-title").locator("xpath=../..")
    expect(purchases).to_contain_text(order.number)
    expect(purchases).to_contain_text("฿467.29")  # revenue before VAT
    screenshot(page, "12-customer-purchases")
