"""A quotation sent by e-mail from its page in a real browser, in Thai, to a real SMTP
server on loopback; the customer's timeline then shows the message. Screenshots (1280 and
390 px) go to test-artifacts/."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from samphan.customers.models import ContactPoint
from samphan.messaging.outbox import Outbox, RateLimits
from samphan.sales import services
from samphan.sales.models import Quote
from samphan.sales.services import LineInput
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_customer_journey import log_in
from tests.factories import ContactPointFactory, CustomerFactory, ProductFactory, UserFactory
from tests.messaging.conftest import smtp_mailers
from tests.messaging.servers import SmtpInbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_send_a_quotation_by_email_from_its_page(live_server, page: Page, settings):
    base = live_server.url
    ProductFactory(sku="GIFT", name="ชุดของขวัญปีใหม่", list_price=Decimal("535.00"))
    customer = CustomerFactory(first_name="มะลิ", last_name="ศรีสุข", stage="prospect")
    ContactPointFactory(customer=customer, kind=ContactPoint.Kind.EMAIL, value="mali@example.com")
    ContactPointFactory(
        customer=customer, kind=ContactPoint.Kind.EMAIL, value="mali.srisuk@office.co.th"
    )
    seller = UserFactory(username="seller")
    deal = services.deal_create(
        actor=seller, fields={"title": "ของขวัญปีใหม่ 200 ชุด", "customer": customer, "amount": 1}
    )
    quote = services.quote_create(actor=seller, deal=deal, lines=[LineInput("GIFT", 200)])
    log_in(page, base)

    page.goto(f"{base}/sales/quotes/{quote.pk}/")
    expect(page.locator("#send")).to_contain_text("ส่งทางอีเมล")
    expect(page.locator("#send")).to_contain_text("ยังไม่ได้เชื่อมบัญชี LINE")  # says why not
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "quote-send")
    with SmtpInbox() as inbox:
        settings.MAILERS = smtp_mailers(inbox.port)
        page.select_option("#quote-send-to", "mali.srisuk@office.co.th")
        page.click("button:has-text('ส่งทางอีเมล')")
        expect(page.locator(".status-quote-sent")).to_be_visible()
        expect(page.locator("body")).to_contain_text("mali.srisuk@office.co.th")
        screenshot(page, "quote-sent")
        assert Outbox(RateLimits({})).run() == 1
    (received,) = inbox.messages
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_filename() == f"{quote.number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert Quote.objects.get().status == "sent"

    # The customer's timeline shows the message as delivered, and the purchase-free
    # prospect is still a prospect (sending is not buying).
    page.goto(f"{base}/customers/{customer.pk}/")
    expect(page.locator("body")).to_contain_text(quote.number)
    page.set_viewport_size(PHONE)
    no_sideways = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways
    screenshot(page, "quote-sent-timeline")
