"""A member of staff's first day, in a real browser: log in, add a customer, find them,
log a call, switch language. Screenshots of each page go to test-artifacts/."""

import re

import pytest
from playwright.sync_api import Page, expect

from samphan.accounts.models import Role
from samphan.customers.models import Customer, Interaction
from tests.e2e.conftest import screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base: str) -> None:
    UserFactory(username="staff", first_name="ศิริพร", role=Role.MANAGER, password="staff-pass-123")
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login/?next=/")
    screenshot(page, "01-login")
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", "staff-pass-123")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("ศิริพร")
    screenshot(page, "02-home")


def test_staff_journey(live_server, page: Page):
    base = live_server.url
    log_in(page, base)

    # Create a customer with a Thai name and a phone typed the everyday way.
    page.goto(f"{base}/customers/new/")
    page.fill("input[name=title]", "คุณ")
    page.fill("input[name=first_name]", "สมชาย")
    page.fill("input[name=last_name]", "ทองดี")
    page.fill("input[name=nickname]", "ชาย")
    page.fill("input[name=mobile]", "081-234-5678")
    screenshot(page, "03-customer-form")
    page.click("form.form-card button[type=submit]")
    expect(page.locator("h1")).to_contain_text("สมชาย ทองดี")
    customer = Customer.objects.get()
    assert customer.contact_points.get().value == "+66812345678"
    expect(page.locator(".contact-value").first).to_have_text("081 234 5678")

    # Find them by part of the Thai name, then by the phone in international form, live.
    page.goto(f"{base}/customers/")
    search = page.locator("input[data-search]")
    search.fill("มชา")
    expect(page.locator(".customer-row")).to_have_count(1)
    expect(page.locator(".row-name").first).to_contain_text("สมชาย ทองดี")
    expect(page).to_have_url(re.compile(r"[?&]q=%E0%B8%A1%E0%B8%8A%E0%B8%B2"))  # shareable
    search.fill("ไม่มีใคร")
    expect(page.locator(".customer-row")).to_have_count(0)
    expect(page.locator(".empty")).to_be_visible()
    search.fill("+66812345678")
    expect(page.locator(".customer-row")).to_have_count(1)
    screenshot(page, "04-customer-list")

    # Log a call from the customer page; the timeline updates in place.
    page.click(".row-link")
    expect(page.locator("h1")).to_contain_text("สมชาย")
    page.check("input[name=kind][value=call]")
    page.fill("input[name=summary]", "โทรแนะนำสินค้าใหม่ นัดเข้าพบวันศุกร์")
    page.click(".quick-log button[type=submit]")
    expect(page.locator(".timeline-item").first).to_contain_text("โทรแนะนำสินค้าใหม่")
    assert Interaction.objects.get().kind == "call"
    screenshot(page, "05-customer-page")

    # Switch to English: the same page now speaks English, and stays so.
    page.locator(".sidebar-foot button[value=en]").click()
    expect(page.locator("#timeline-title")).to_have_text("Timeline")
    page.goto(f"{base}/customers/")
    expect(page.locator("h1")).to_have_text("Customers")
    screenshot(page, "06-customer-list-en")


def test_validation_messages_in_the_browser(live_server, page: Page):
    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/customers/new/?kind=company")
    page.fill("input[name=company_name]", "บริษัท ทดสอบ จำกัด")
    page.fill("input[name=tax_id]", "0105551234568")
    page.click("form.form-card button[type=submit]")
    expect(page.locator(".field-error .errorlist")).to_be_visible()
    screenshot(page, "07-company-form-error")
    assert not Customer.objects.exists()


def test_timeline_older_entries_and_a_date_too_far_ahead(live_server, page: Page):
    import datetime as dt

    from django.utils import timezone

    from tests.factories import CustomerFactory

    base = live_server.url
    log_in(page, base)
    customer = CustomerFactory(first_name="มาลี")
    start = timezone.now() - dt.timedelta(days=100)
    Interaction.objects.bulk_create(
        Interaction(
            customer=customer,
            kind="note",
            summary=f"บันทึก {index}",
            occurred_at=start + dt.timedelta(hours=index),
        )
        for index in range(30)
    )
    page.goto(f"{base}/customers/{customer.pk}/")
    expect(page.locator(".timeline-item")).to_have_count(20)
    page.click(".timeline-more a")
    expect(page.locator(".timeline-item")).to_have_count(30)
    expect(page.locator(".timeline-more")).to_have_count(0)
    expect(page).to_have_url(f"{base}/customers/{customer.pk}/")  # fetched in place

    page.fill("input[name=summary]", "นัดเยี่ยมปีหน้า")
    page.fill("input[name=occurred_at]", f"{timezone.localtime().year + 1}-01-15T10:00")
    page.fill("input[name=channel]", "LINE")
    page.click(".quick-log button[type=submit]")
    expect(page.locator(".field-when .errorlist")).to_be_visible()
    expect(page.locator("input[name=summary]")).to_have_value("นัดเยี่ยมปีหน้า")
    screenshot(page, "08-timeline-date-error")
    assert Interaction.objects.count() == 30
