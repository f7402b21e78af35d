"""An admin's users and tokens, and a forgotten password, in a real browser and in Thai.
Screenshots at 1280 and 390 px go to test-artifacts/users-*.png."""

import pytest
from playwright.sync_api import Page, expect

from samphan.accounts.models import Role, User
from tests.accounts.conftest import link_in
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import TeamFactory, UserFactory
from tests.messaging.conftest import smtp_mailers
from tests.messaging.servers import SmtpInbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "มะม่วง-สุก-2569"


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    expect(page.locator("nav.sidebar")).to_be_visible()


def assert_fits_a_phone(page: Page) -> None:
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    if size:
        page.set_viewport_size(size)
    assert not wide, f"{page.url} scrolls sideways at 390 px"


def test_an_admin_invites_resets_deactivates_and_makes_a_token(live_server, page: Page, settings):
    base = live_server.url
    TeamFactory(name="ทีมหน้าร้าน")
    UserFactory(
        username="boss",
        first_name="มานี",
        last_name="ใจดี",
        role=Role.ADMIN,
        password="boss-pass-123",
    )
    for number in range(3):
        UserFactory(username=f"sales{number}", first_name=f"พนักงาน{number}", role=Role.SALES)
    with SmtpInbox() as inbox:
        settings.MAILERS = smtp_mailers(inbox.port)
        log_in(page, base, "boss", "boss-pass-123")

        page.goto(f"{base}/preferences/")
        page.click("text=ผู้ใช้ บทบาท และทีม")
        expect(page.locator("h1")).to_have_text("ผู้ใช้")
        expect(page.locator(".user-table tbody tr")).to_have_count(4)
        screenshot(page, "users-01-list")
        assert_fits_a_phone(page)

        page.click("text=เพิ่มผู้ใช้")
        # The password field shows only for "set a password now" (an invitation is the default).
        expect(page.locator("input[name=password]")).to_be_hidden()
        page.check("input[name=access][value=password]")
        expect(page.locator("input[name=password]")).to_be_visible()
        page.check("input[name=access][value=invite]")
        expect(page.locator("input[name=password]")).to_be_hidden()
        page.fill("input[name=username]", "somsri")
        page.fill("input[name=first_name]", "สมศรี")
        page.fill("input[name=last_name]", "มีสุข")
        page.fill("input[name=email]", "somsri@example.com")
        page.select_option("select[name=role]", Role.FRONTDESK)
        page.select_option("select[name=team]", label="ทีมหน้าร้าน")
        screenshot(page, "users-02-new")
        assert_fits_a_phone(page)
        page.click("form.form-card button[type=submit]")
        expect(page.locator(".messages")).to_contain_text("somsri@example.com")
        expect(page.locator("h1")).to_have_text("สมศรี มีสุข")
        assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == "somsri@example.com"
        screenshot(page, "users-03-edit")
        assert_fits_a_phone(page)

        page.click("button:has-text('ตั้งรหัสผ่านชั่วคราว')")
        secret = page.locator("input[data-secret]").input_value()
        assert User.objects.get(username="somsri").check_password(secret)
        page.click("[data-copy-secret]")
        expect(page.locator("[data-copied]")).to_be_visible()
        screenshot(page, "users-04-temporary-password")
        page.click("text=เสร็จแล้ว")

        page.click("button:has-text('ระงับบัญชี')")
        expect(page.locator(".page-head .status")).to_have_text("ระงับแล้ว")
        assert not User.objects.get(username="somsri").is_active

        page.goto(f"{base}/preferences/")
        page.fill("input[name=name]", "เครื่องคิดเงินหน้าร้าน")
        page.click("button:has-text('สร้างโทเคน')")
        token = page.locator("input[data-secret]").input_value()
        assert token.startswith("sp_")
        screenshot(page, "users-05-token-created")
        page.click("text=เสร็จแล้ว")
        expect(page.locator(".token-table")).to_contain_text("เครื่องคิดเงินหน้าร้าน")
        assert token not in page.content()
        screenshot(page, "users-06-settings-tokens")
        assert_fits_a_phone(page)
        page.click(".token-table button:has-text('เพิกถอน')")
        expect(page.locator(".token-table")).to_have_count(0)


def test_a_forgotten_password_from_the_login_page(live_server, page: Page, settings):
    base = live_server.url
    UserFactory(username="nok", first_name="นก", email="nok@example.com", role=Role.SALES)
    with SmtpInbox() as inbox:
        settings.MAILERS = smtp_mailers(inbox.port)
        page.goto(f"{base}/login/")
        page.click("text=ลืมรหัสผ่าน?")
        expect(page.locator("h2")).to_have_text("ลืมรหัสผ่าน?")
        screenshot(page, "users-07-forgot")
        assert_fits_a_phone(page)
        page.fill("input[name=email]", "NOK@example.com")
        page.click("form button[type=submit]")
        expect(page.locator("h2")).to_have_text("กรุณาตรวจอีเมลของคุณ")
        screenshot(page, "users-08-forgot-sent")
        [message] = inbox.messages
        assert message["Subject"] == "ตั้งรหัสผ่านสัมพันธ์ใหม่"

        page.goto(base + link_in(message))
        expect(page.locator("h2")).to_have_text("ตั้งรหัสผ่านใหม่")
        page.fill("input[name=new_password1]", NEW_PASSWORD)
        page.fill("input[name=new_password2]", NEW_PASSWORD)
        screenshot(page, "users-09-set-password")
        assert_fits_a_phone(page)
        page.click("form button[type=submit]")
        expect(page.locator("h2")).to_have_text("บันทึกรหัสผ่านแล้ว")
        screenshot(page, "users-10-password-saved")
        page.click("a.button:has-text('เข้าสู่ระบบ')")
        page.fill("input[name=username]", "nok")
        page.fill("input[name=password]", NEW_PASSWORD)
        page.click("form button[type=submit]")
        expect(page.locator("nav.sidebar")).to_be_visible()


def test_the_pages_in_english(live_server, page: Page):
    """The same pages for an English-speaking admin: screenshots users-en-*.png."""
    base = live_server.url
    admin = UserFactory(
        username="boss",
        first_name="Manee",
        role=Role.ADMIN,
        password="boss-pass-123",
        language="en",
    )
    UserFactory(username="nok", first_name="Nok", email="nok@example.com", role=Role.FRONTDESK)
    log_in(page, base, "boss", "boss-pass-123")
    page.goto(f"{base}/users/")
    expect(page.locator(".user-table")).to_contain_text("Front desk")
    screenshot(page, "users-en-01-list")
    page.goto(f"{base}/users/new/")
    expect(page.locator("h1")).to_have_text("Add a user")
    screenshot(page, "users-en-02-new")
    page.goto(f"{base}/preferences/")
    expect(page.locator("#tokens h2")).to_have_text("API tokens")
    screenshot(page, "users-en-03-settings")
    assert_fits_a_phone(page)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/password/forgot/")
    expect(page.locator("h2")).to_have_text("Forgot your password?")
    screenshot(page, "users-en-04-forgot")
    assert admin.is_active
