"""Issue 21: a manager works the duplicate review queue: compare a pair side by side, merge
it, see the duplicate's orders on the survivor's page, undo; and "not a duplicate" takes a
row away in place. Screenshots in Thai (and the queue and the compare page in English)."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from samphan.accounts.models import Role, User
from samphan.customers import services
from samphan.customers.dedupe.finder import duplicates_find
from samphan.customers.models import Customer, DuplicateCandidate
from samphan.sales.models import Order
from samphan.sales.services import LineInput, order_record
from tests.e2e.conftest import screenshot
from tests.factories import ProductFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shop(language: str) -> tuple[User, Customer, Customer]:
    boss = UserFactory(
        username="boss", role=Role.MANAGER, password="boss-pass-123", language=language
    )
    product = ProductFactory(name="ครีมกันแดด", list_price=Decimal("450"))
    make = services.customer_create
    a = make(
        actor=boss,
        fields={"first_name": "สมชาย", "last_name": "ใจดี", "province": "ขอนแก่น"},
        contact_points=[{"kind": "mobile", "value": "0812345678"}],
    )
    b = make(
        actor=boss,
        fields={"first_name_en": "Somchay", "last_name_en": "Jaidee", "nickname": "ชาย"},
        contact_points=[
            {"kind": "mobile", "value": "+66 81 234 5678"},
            {"kind": "line", "value": "somchay.j"},
            {"kind": "email", "value": "somchay@example.com"},
        ],
        allow_duplicate=True,
    )
    for customer, count in ((a, 2), (b, 1)):
        for _ in range(count):
            order_record(
                actor=boss, customer=customer, lines=[LineInput(product.pk, Decimal(1))],
                channel="store",
            )  # fmt: skip
    # A second pair, alike by name only (and a birthday): the one marked "not a duplicate".
    born = {"birthday": dt.date(1988, 3, 14)}
    make(actor=boss, fields={"first_name": "วรรณา", "last_name": "ศรีสุข", **born})
    make(actor=boss, fields={"first_name": "วันนา", "last_name": "ศรีสุข", **born})
    duplicates_find()
    assert DuplicateCandidate.objects.count() == 2
    return boss, a, b


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "boss-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_queue_compare_merge_undo(live_server, page: Page) -> None:
    base = live_server.url
    _boss, a, b = shop("th")
    log_in(page, base)
    page.goto(f"{base}/customers/")
    page.get_by_role("link", name="รายการที่อาจซ้ำ").click()
    rows = page.locator(".dup-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("เบอร์โทรเดียวกัน")  # highest score first
    expect(rows.first).to_contain_text("Somchay Jaidee")
    expect(rows.first).to_contain_text("somchay.j")
    screenshot(page, "duplicate-queue")
    # "Not a duplicate" on the name-only pair: its row goes, in place.
    rows.nth(1).get_by_role("button", name="ไม่ใช่ลูกค้าซ้ำ").click()
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name="เปรียบเทียบและรวม").click()
    expect(page.locator("h1")).to_have_text("รวมข้อมูลลูกค้า")
    table = page.locator(".merge-table")
    expect(table).to_contain_text("สมชาย ใจดี")
    expect(table).to_contain_text("Somchay")
    expect(table).to_contain_text("somchay.j")  # both contact lists, all kept
    screenshot(page, "duplicate-merge-compare")
    # Keep the duplicate's nickname, then merge.
    page.locator("input[name=field_nickname]").nth(1).check()
    page.get_by_role("button", name="รวม", exact=True).click()
    page.wait_for_url(f"{base}/customers/{a.pk}/")
    expect(page.locator(".messages")).to_contain_text("รวมแล้ว")
    numbers = list(Order.objects.filter(customer=a).values_list("number", flat=True))
    assert len(numbers) == 3  # the survivor's two and the duplicate's one
    for number in numbers:
        expect(page.locator("body")).to_contain_text(number)
    screenshot(page, "duplicate-merged-survivor")
    page.get_by_role("button", name="ยกเลิกการรวม").click()
    expect(page.locator(".messages")).to_contain_text("ยกเลิกการรวมแล้ว")
    assert Order.objects.filter(customer=b).count() == 1
    # The pair is back in the queue, to merge another day.
    page.goto(f"{base}/customers/duplicates/")
    expect(page.locator(".dup-row")).to_have_count(1)


def test_the_queue_and_compare_page_in_english(live_server, page: Page) -> None:
    base = live_server.url
    _boss, a, b = shop("en")
    log_in(page, base)
    page.goto(f"{base}/customers/duplicates/")
    expect(page.locator(".dup-row").first).to_contain_text("same phone")
    screenshot(page, "duplicate-queue-en")
    page.goto(f"{base}/customers/{a.pk}/merge/?with={b.pk}")
    expect(page.locator(".merge-table")).to_contain_text("Somchay")
    screenshot(page, "duplicate-merge-compare-en")


def test_the_create_form_warns_of_a_similar_customer_and_still_saves(
    live_server, page: Page
) -> None:
    base = live_server.url
    shop("th")
    log_in(page, base)
    page.goto(f"{base}/customers/new/")
    page.fill("input[name=first_name]", "สมชาย")
    page.fill("input[name=last_name]", "ใจดี")
    # A name alone is never a duplicate: a mobile one digit off ties them (the same one
    # would stop the save until confirmed).
    page.fill("input[name=mobile]", "081 234 5679")
    page.locator("input[name=mobile]").blur()
    warning = page.locator("#similar-warning")
    expect(warning).to_contain_text("สมชาย ใจดี")
    expect(warning.get_by_role("link", name="เปิดดู").first).to_be_visible()
    screenshot(page, "duplicate-create-warning")
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_url(f"{base}/customers/*/")
    assert Customer.objects.filter(first_name="สมชาย", last_name="ใจดี").count() == 2
