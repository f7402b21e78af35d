"""The customer form in a real browser, in Thai with Buddhist-era dates: saved unchanged,
nothing changes (Chromium itself decides what a date input and a textarea send)."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers import services
from samphan.customers.models import Customer
from tests.e2e.conftest import screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "99/1 ถนนสุขุมวิท\nแขวงคลองเตย\nกรุงเทพฯ 10110"


def test_the_customer_form_saved_unchanged_changes_nothing(live_server, page: Page):
    staff = UserFactory(
        username="staff", first_name="ศิริพร", role=Role.MANAGER, password="pw-12345678"
    )
    company = services.customer_create(
        actor=staff, fields={"kind": "company", "company_name": "บริษัท สยามฟู้ดส์ จำกัด"}
    )
    customer = services.customer_create(
        actor=staff,
        fields={
            "kind": "person",
            "title": "คุณ",
            "first_name": "สมหญิง",
            "last_name": "ใจงาม",
            "nickname": "หญิง",
            "birthday": dt.date(1983, 5, 23),
            "company": company,
            "address": ADDRESS,
            "notes": "ชอบกาแฟ\nไม่ใส่น้ำตาล",
        },
    )
    audited = AuditEvent.objects.count()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", "pw-12345678")
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    expect(page.locator("input[name=birthday]")).to_have_value("23/05/2526")
    expect(page.locator("input[name=company__search]")).to_have_value("บริษัท สยามฟู้ดส์ จำกัด")
    screenshot(page, "form-round-trip-customer-edit")  # at 1280 and 390 px
    page.click("form.form-card button[type=submit]")
    expect(page.locator("h1")).to_contain_text("สมหญิง ใจงาม")

    saved = Customer.objects.get(pk=customer.pk)
    assert (saved.birthday, saved.address, saved.notes, saved.company_id) == (
        dt.date(1983, 5, 23),
        ADDRESS,
        "ชอบกาแฟ\nไม่ใส่น้ำตาล",
        company.pk,
    )
    assert AuditEvent.objects.count() == audited

    # A day typed in พ.ศ. is read as one; the calendar button writes its choice in พ.ศ. too.
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    page.fill("input[name=birthday]", "1/2/2530")
    page.click("form.form-card button[type=submit]")
    expect(page.locator("h1")).to_contain_text("สมหญิง ใจงาม")
    assert Customer.objects.get(pk=customer.pk).birthday == dt.date(1987, 2, 1)
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    picker = page.locator("input[name=birthday] ~ input[data-date-picker]")
    picker.fill("1990-12-31")  # what choosing a day in the calendar does
    picker.dispatch_event("change")
    expect(page.locator("input[name=birthday]")).to_have_value("31/12/2533")
