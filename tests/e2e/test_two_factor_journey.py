"""Two-step sign-in and the login lockout in a real browser, in Thai. The TOTP code is
computed here from the key the set-up page shows, as a phone's app would.
Screenshots at 1280 and 390 px: test-artifacts/two-factor-*.png and login-locked*.png."""

import base64
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Browser, Page, expect

from samphan.accounts.models import Role
from tests.e2e.conftest import DESKTOP, screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "boss-pass-123"


def code_from(key: str, *, later: int = 0) -> str:
    # A code made in the last seconds of its 30-second step may reach the server in the
    # next one; django-otp then records a drift of -1 step and refuses the later code the
    # second sign-in sends. So codes are made early in a step, as a person would type them.
    if time.time() % 30 > 22:
        time.sleep(30 - time.time() % 30 + 0.5)
    clock = TOTP(base64.b32decode(key.replace(" ", "")))
    clock.time = time.time() + later
    return f"{clock.token():06d}"


def password_step(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")


def test_an_admin_sets_up_totp_then_logs_in_with_a_code(
    live_server, page: Page, browser: Browser, settings
):
    settings.SAMPHAN_TWO_FACTOR_REQUIRED = True
    base = live_server.url
    UserFactory(username="boss", first_name="มานี", role=Role.ADMIN, password=PASSWORD)

    password_step(page, base, "boss", PASSWORD)
    expect(page).to_have_url(f"{base}/login/two-factor/setup/")
    expect(page.locator("nav.sidebar")).to_have_count(0)
    expect(page.locator(".setup-qr svg")).to_be_visible()
    screenshot(page, "two-factor-setup")
    page.goto(f"{base}/customers/")  # nothing else is reachable yet
    expect(page).to_have_url(f"{base}/login/two-factor/setup/")

    key = page.locator(".setup-key").get_attribute("data-key") or ""
    page.fill("input[name=code]", code_from(key))
    page.click("form button[type=submit]")
    expect(page.locator(".recovery-code")).to_have_count(10)
    screenshot(page, "two-factor-recovery")
    page.click("text=บันทึกไว้แล้ว: ไปต่อ")
    expect(page.locator("nav.sidebar")).to_be_visible()
    page.goto(f"{base}/preferences/")
    expect(page.locator("#two-factor")).to_contain_text("เหลือรหัสกู้คืน 10 รหัส")
    page.locator("#two-factor").scroll_into_view_if_needed()
    screenshot(page, "two-factor-preferences")

    again = browser.new_context(viewport=DESKTOP, locale="th-TH").new_page()
    password_step(again, base, "boss", PASSWORD)
    expect(again).to_have_url(f"{base}/login/verify/")
    expect(again.locator("h2")).to_have_text("การยืนยันตัวตนสองขั้นตอน")
    screenshot(again, "two-factor-verify")
    again.fill("input[name=code]", code_from(key, later=30))  # the set-up's code is spent
    again.click("form button[type=submit]")
    expect(again.locator("nav.sidebar")).to_be_visible()


def test_the_lockout_message_on_the_login_page(live_server, page: Page, browser: Browser):
    base = live_server.url
    somchai = UserFactory(username="somchai", role=Role.SALES, password=PASSWORD)
    UserFactory(username="boss", role=Role.ADMIN, password="boss-only-pass-1")
    password_step(page, base, "boss", "boss-only-pass-1")  # before the address is locked
    expect(page.locator("nav.sidebar")).to_be_visible()
    # Its own context: the locked answer is a 429, which Chromium reports on the console.
    visitor = browser.new_context(viewport=DESKTOP, locale="th-TH").new_page()
    for attempt in range(6):
        password_step(visitor, base, "somchai", f"wrong-{attempt}")
    expect(visitor.locator(".login-locked")).to_contain_text("ลองอีกครั้งใน 15 นาที")
    password_step(visitor, base, "somchai", PASSWORD)
    expect(visitor.locator(".login-locked")).to_be_visible()
    screenshot(visitor, "login-locked")

    page.goto(f"{base}/users/")
    expect(page.locator(".status-user-locked")).to_have_count(1)
    page.goto(f"{base}/users/{somchai.pk}/")
    page.locator("#sign-in").scroll_into_view_if_needed()
    screenshot(page, "users-locked")
    page.click("text=ปลดล็อกตอนนี้")
    expect(page.locator(".message")).to_contain_text("ลองเข้าสู่ระบบได้อีกครั้งแล้ว")
    expect(page.locator(".status-user-locked")).to_have_count(0)
