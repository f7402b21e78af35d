"""A sale in a real browser, end to end: a lead sent through the public form, converted
with a deal, the deal dragged to Quoted on the board, a quotation made and accepted, and the
order on the customer's page. Screenshots go to test-artifacts/."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from samphan.sales.models import Deal, Lead, Order, Quote, Stage
from tests.e2e.conftest import screenshot
from tests.e2e.test_customer_journey import log_in
from tests.factories import ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drag(page: Page, card, target) -> None:
    card.hover()
    page.mouse.down()
    box = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20, steps=12)
    page.mouse.up()


def test_from_a_web_lead_to_an_order(live_server, page: Page, browser):
    base = live_server.url
    ProductFactory(sku="GIFT", name="ชุดของขวัญปีใหม่", list_price=Decimal("535.00"))

    # A visitor sends the public form (no login), from a campaign link.
    visitor = browser.new_context(locale="th-TH").new_page()
    visitor.goto(f"{base}/p/lead/?campaign=newyear")
    visitor.fill("input[name=first_name]", "มาลี")
    visitor.fill("input[name=last_name]", "ใจดี")
    visitor.fill("input[name=phone]", "081-234-5678")
    visitor.fill("textarea[name=message]", "สนใจชุดของขวัญ 200 ชุดสำหรับพนักงาน")
    visitor.check("input[name=consent]")
    screenshot(visitor, "20-public-lead-form")
    visitor.click("button[type=submit]")
    expect(visitor.locator("h1")).to_have_text("ขอบคุณ")
    visitor.context.close()
    lead = Lead.objects.get()
    assert lead.campaign == "newyear"

    # Staff find it among open leads and convert it with a deal, in one step.
    log_in(page, base)
    page.goto(f"{base}/sales/leads/")
    page.click("text=มาลี ใจดี")
    screenshot(page, "21-lead")
    page.click("text=แปลงเป็นลูกค้า")
    page.check("input[name=stage][value=customer]")
    page.fill("input[name=deal_title]", "ของขวัญปีใหม่ 200 ชุด")
    page.fill("input[name=deal_amount]", "100000")
    page.click("form.form-card button[type=submit]")
    expect(page.locator("h1")).to_contain_text("ของขวัญปีใหม่ 200 ชุด")
    deal = Deal.objects.get()

    # On the board, drag the deal to Quoted; the server keeps it and the totals follow.
    quoted = Stage.objects.get(pipeline__is_default=True, name_en="Quoted")
    page.goto(f"{base}/sales/pipeline/")
    target = page.locator(f".board-cards[data-stage='{quoted.pk}']")
    drag(page, page.locator(".deal-card", has_text="ของขวัญปีใหม่"), target)
    expect(target.locator(".deal-card")).to_have_count(1)
    expect(page.locator(f"#stage-{quoted.pk}").locator("xpath=..")).to_contain_text("฿100,000.00")
    deal.refresh_from_db()
    assert deal.stage == quoted
    screenshot(page, "22-pipeline-board")

    # A quotation from the deal, then the customer accepts it: an order, the deal won.
    page.goto(f"{base}/sales/deals/{deal.pk}/")
    page.click("text=+ ใบเสนอราคา")
    page.select_option("select[name=lines-0-product]", label="ชุดของขวัญปีใหม่ (GIFT)")
    page.fill("input[name=lines-0-quantity]", "200")
    page.click("form.form-card button[type=submit]")
    expect(page.locator("h1")).to_contain_text("QT-")
    expect(page.locator(".words")).to_contain_text("บาทถ้วน")
    screenshot(page, "23-quotation")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('ลูกค้าตอบรับ')")
    expect(page.locator(".status-quote-accepted")).to_be_visible()
    quote = Quote.objects.get()
    order = Order.objects.get()
    assert quote.order == order and order.total == Decimal("107000.00")
    assert Deal.objects.get().stage.name_en == "Won"

    # The order is on the customer's page, with the roll-up.
    page.goto(f"{base}/customers/{lead.customer_id}/")
    purchases = page.locator("#purchases-title").locator("xpath=../..")
    expect(purchases).to_contain_text(order.number)
    expect(purchases).to_contain_text("฿100,000.00")  # revenue before VAT
    screenshot(page, "24-customer-purchases")
