"""Samphan on a phone (390×844, Thai): from home, every destination of the menu is reached by
taps alone (the tab bar, or "more" and the sheet it opens), none of them scrolls sideways, and
the language switch and log out are in the sheet. The sheet works from the keyboard too, and
the desktop sidebar still lists every destination at 1280 px. Screenshots of each page are
saved under test-artifacts/phone-nav/."""

import re
from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect

from samphan.accounts.models import Role
from samphan.core.notifications import notify
from samphan.marketing.services import members_add, segment_save
from samphan.messaging.outbox import message_queue
from samphan.sales import services as sales
from samphan.sales.services import LineInput
from samphan.sales.services.leads import LeadInput, lead_capture
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.factories import (
    CompanyFactory,
    ContactPointFactory,
    CustomerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "phone-nav"
PASSWORD = "admin-pass-1234"
# What an admin's menu offers today; the test walks every link the menu has, these at least.
ADMIN_DESTINATIONS = [
    reverse("home"),
    reverse("customer_list"),
    reverse("customer_list") + "?kind=company",
    reverse("customer_create"),
    reverse("frontdesk"),
    reverse("work_next"),
    reverse("lead_list"),
    reverse("board"),
    reverse("order_list"),
    reverse("top_customers"),
    reverse("outbox"),
    reverse("segment_list"),
    reverse("product_list"),
    reverse("notifications"),
    reverse("preferences"),
]

# Pages one tap beyond a destination (destination, link there) that once scrolled sideways.
DEEPER = [
    (reverse("order_list"), "main .data-table a[href^='/sales/orders/']"),
    (reverse("board"), "main a.deal-title"),
    (reverse("product_list"), f"main a[href='{reverse('product_import')}']"),
]


def a_small_shop(admin) -> None:
    """A row or two on every page, with the long Thai names real shops have."""
    company = CompanyFactory(company_name="บริษัท สยามสปาและเครื่องสำอางเพื่อสุขภาพ จำกัด (มหาชน)")
    regular = CustomerFactory(
        first_name="ประภาพรรณ", last_name="ศรีสุวรรณวงศ์", nickname="แพร", owner=admin
    )
    ContactPointFactory(customer=regular, value="+66812345678")
    massage = ProductFactory(name="นวดแผนไทยพร้อมประคบสมุนไพร 120 นาที", list_price=Decimal("1290"))
    for customer in (regular, company, CustomerFactory(owner=admin)):
        sales.order_record(
            actor=admin, customer=customer, lines=[LineInput(massage.pk, 2)], channel="store"
        )
    sales.deal_create(
        actor=admin, fields={"title": "แพ็กเกจสปาสำหรับพนักงาน 40 คน", "customer": company}
    )
    lead_capture(
        actor=admin,
        data=LeadInput(first_name="วรวุฒิ", last_name="ทองประเสริฐ", phone="0898765432",
                       message="สนใจแพ็กเกจนวดสำหรับบริษัท", source="line"),
    )  # fmt: skip
    segment = segment_save(actor=admin, segment=None, name="ลูกค้าประจำย่านสุขุมวิท", kind="static")
    members_add(actor=admin, segment=segment, customer_ids=[regular.pk])
    message_queue(
        customer=regular, channel="sms", purpose="service", to="+66812345678",
        text="คุณแพร พรุ่งนี้ 10:00 น. มีนัดนวดค่ะ", idempotency_key="nav-test-reminder",
    )  # fmt: skip
    notify(user=admin, text="มีลีดใหม่จาก LINE: วรวุฒิ ทองประเสริฐ", url=reverse("lead_list"))


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A touch phone in Thai; fails the test on any console error, as the shared page does."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(5_000)  # a link that never shows fails in seconds, not minutes
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


def menu_button(page: Page) -> Locator:
    return page.locator(".tabbar [data-menu-toggle]")


def open_menu(page: Page) -> Locator:
    """Tap "more" in the tab bar; the sheet with the whole menu shows."""
    menu_button(page).tap()
    expect(menu_button(page)).to_have_attribute("aria-expanded", "true")
    sheet = page.locator("#main-menu")
    expect(sheet).to_be_visible()
    return sheet


def arrive(page: Page, path: str) -> None:
    """Wait for the page at ``path``, loaded with its panels, its menu closed."""
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    expect(menu_button(page)).to_have_attribute("aria-expanded", "false")
    page.wait_for_load_state("networkidle")


def assert_fits_the_phone(page: Page, name: str) -> None:
    scroll, inner, client = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth,"
        " document.documentElement.clientWidth]"
    )
    assert scroll <= min(inner, client, PHONE["width"]), (
        f"{name} scrolls sideways at {PHONE['width']} px: {scroll} px wide"
    )


def shoot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save the screen; a whole page is taken on a phone as tall as the page, so the fixed
    tab bar is drawn at its foot rather than over its middle (a style injected for the
    picture would break the CSP)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    if full_page:
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": PHONE["width"], "height": max(height, PHONE["height"])})
    page.screenshot(path=SHOTS / f"{name}.png")
    if full_page:
        page.set_viewport_size(PHONE)


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/login/")  # the only address typed: everything after is a tap
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").tap()
    arrive(page, reverse("home"))


def test_every_destination_by_taps_on_a_phone(live_server, phone: Page):
    admin = UserFactory(username="admin", role=Role.ADMIN, password=PASSWORD, language="th")
    a_small_shop(admin)
    log_in(phone, live_server.url)

    menu = open_menu(phone)
    shoot(phone, "00-menu-open", full_page=False)
    destinations = [
        urlsplit(href).path + (f"?{urlsplit(href).query}" if urlsplit(href).query else "")
        for href in menu.locator("a.nav-link").evaluate_all("links => links.map(a => a.href)")
    ]
    missing = [path for path in ADMIN_DESTINATIONS if path not in destinations]
    assert not missing, f"the phone menu lacks {missing}"
    menu_button(phone).tap()  # the same button closes it
    expect(menu).to_be_hidden()

    # Every destination through "more", each page fitting the phone's width.
    for number, path in enumerate(destinations, start=1):
        open_menu(phone).locator(f'a.nav-link[href="{path}"]').tap()
        arrive(phone, path)
        assert_fits_the_phone(phone, path)
        shoot(phone, f"{number:02d}-{slug(path)}")

    # One tap further, pages that used to run past the phone's edge.
    for destination, link in DEEPER:
        open_menu(phone).locator(f'a.nav-link[href="{destination}"]').tap()
        arrive(phone, destination)
        target = phone.locator(link).first
        path = target.get_attribute("href") or ""
        target.tap()
        arrive(phone, path)
        assert_fits_the_phone(phone, path)
        shoot(phone, f"20-{slug(path)}")

    # The tab bar's own links land where the menu's do.
    tab_links = phone.locator(".tabbar a.nav-link")
    assert tab_links.count() >= 3
    for index in range(tab_links.count()):
        link = phone.locator(".tabbar a.nav-link").nth(index)
        path = link.get_attribute("href") or ""
        assert path in destinations
        link.tap()
        arrive(phone, path)
        expect(phone.locator(".tabbar a.nav-link.active")).to_have_attribute("href", path)


def test_menu_sheet_keyboard_language_and_log_out(live_server, phone: Page):
    UserFactory(username="admin", role=Role.ADMIN, password=PASSWORD, language="th")
    log_in(phone, live_server.url)
    button = menu_button(phone)
    expect(button).to_have_text(re.compile("เพิ่มเติม"))

    # From the keyboard: Enter opens it with focus on its first link, Escape closes it and
    # focus returns to the button.
    button.focus()
    phone.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    assert phone.evaluate("document.getElementById('main-menu').contains(document.activeElement)")
    phone.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(phone.locator("#main-menu")).to_be_hidden()

    # A tap on the dimmed page closes it and opens nothing under it.
    open_menu(phone)
    phone.touchscreen.tap(PHONE["width"] / 2, 60)
    expect(button).to_have_attribute("aria-expanded", "false")
    assert urlsplit(phone.url).path == reverse("home")

    # The language switch is in the sheet, both ways.
    open_menu(phone).get_by_role("button", name="English").tap()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(button).to_have_text(re.compile("More"))
    assert_fits_the_phone(phone, "home in English")
    menu = open_menu(phone)
    shoot(phone, "90-menu-open-english", full_page=False)
    menu.get_by_role("button", name="ภาษาไทย").tap()
    expect(phone.locator("html")).to_have_attribute("lang", "th")

    # At 1280 px the sidebar is back, every link showing, and no tab bar.
    phone.set_viewport_size(DESKTOP)
    expect(phone.locator(".tabbar")).to_be_hidden()
    for link in phone.locator("#main-menu a.nav-link").all():
        expect(link).to_be_visible()
    expect(phone.locator("#main-menu .sidebar-foot")).to_be_visible()
    shoot(phone, "99-desktop-sidebar", full_page=False)
    phone.set_viewport_size(PHONE)

    # Log out, from the sheet.
    open_menu(phone).get_by_role("button", name="ออกจากระบบ").tap()
    phone.wait_for_url(re.compile(r"/login/"))
    expect(phone.locator("input[name=username]")).to_be_visible()
