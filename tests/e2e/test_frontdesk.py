"""The front desk in a real browser: staff B keeps the arrivals screen open while staff A
checks a VIP in by phone; B sees the VIP's photo card within three seconds, marks them
greeted, and a regular customer's check-in raises nothing. Screenshots of the check-in
card and the arrivals screen at tablet and phone size."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from samphan.accounts.models import Role
from samphan.customers import services as customer_services
from samphan.frontdesk.models import Alert, AlertRule
from tests.e2e.conftest import ARTIFACTS, DESKTOP
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}


def portrait() -> SimpleUploadedFile:
    image = Image.new("RGB", (240, 240), (202, 138, 4))
    data = io.BytesIO()
    image.save(data, "JPEG")
    return SimpleUploadedFile("anne.jpg", data.getvalue(), content_type="image/jpeg")


def log_in(browser: Browser, base: str, username: str, viewport: dict) -> Page:
    context = browser.new_context(viewport=viewport, locale="th-TH")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "desk-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def test_a_vip_check_in_reaches_the_other_screen_within_three_seconds(live_server, browser):
    base = live_server.url
    for name in ("staff_a", "staff_b"):
        UserFactory(username=name, role=Role.FRONTDESK, password="desk-pass-123", language="th")
    AlertRule.objects.create(name="VIP", kind="vip")
    anne = customer_services.customer_create(
        actor=None,
        fields={"kind": "person", "title": "คุณ", "first_name": "อัญชลี", "nickname": "แอน",
                "is_vip": True, "tier": "gold", "notes": "ชอบชาเขียว ไม่หวาน"},
        contact_points=[{"kind": "mobile", "value": "0812345678"}],
        photo=portrait(),
    )  # fmt: skip
    customer_services.customer_create(
        actor=None,
        fields={"kind": "person", "first_name": "บุญมี", "nickname": "มี"},
        contact_points=[{"kind": "mobile", "value": "0899990000"}],
    )

    staff_b = log_in(browser, base, "staff_b", TABLET)
    staff_b.goto(f"{base}/frontdesk/alerts/")
    expect(staff_b.locator(".alert-screen .empty")).to_be_visible()

    staff_a = log_in(browser, base, "staff_a", TABLET)
    staff_a.goto(f"{base}/frontdesk/")
    staff_a.fill("input[name=q]", "081-234-5678")
    staff_a.keyboard.press("Enter")
    expect(staff_a.locator(".arrival-card .arrival-greeting")).to_have_text("คุณแอน")
    checked_in = time.monotonic()

    card = staff_b.locator(".alert-screen .alert-card")
    expect(card).to_have_count(1, timeout=3_000)
    waited = time.monotonic() - checked_in
    assert waited < 3, f"the alert took {waited:.1f} s"
    expect(card.locator("img.alert-photo")).to_have_attribute("src", anne.photo.url)
    expect(card.locator(".alert-greeting")).to_contain_text("คุณแอน")

    ARTIFACTS.mkdir(exist_ok=True)
    staff_a.screenshot(path=ARTIFACTS / "frontdesk-card-tablet.png", full_page=True)
    staff_b.screenshot(path=ARTIFACTS / "frontdesk-alerts-tablet.png", full_page=True)
    for page, name in [(staff_a, "frontdesk-card"), (staff_b, "frontdesk-alerts")]:
        page.set_viewport_size(PHONE)
        page.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.set_viewport_size(TABLET)

    # Staff A's own pages carry the tray: the alert shows there too, until someone greets.
    staff_a.goto(f"{base}/frontdesk/expected/")
    expect(staff_a.locator(".arrival-tray .alert-card")).to_have_count(1, timeout=3_000)
    card.get_by_role("button").click()
    expect(staff_b.locator(".alert-screen .alert-card")).to_have_count(0)
    expect(staff_a.locator(".arrival-tray .alert-card")).to_have_count(0, timeout=3_000)
    alert = Alert.objects.get()
    assert alert.greeted_by.username == "staff_b"

    # A customer no rule matches: checked in, and nothing reaches staff B.
    staff_a.goto(f"{base}/frontdesk/")
    staff_a.fill("input[name=q]", "0899990000")
    staff_a.keyboard.press("Enter")
    expect(staff_a.locator(".arrival-card .arrival-greeting")).to_have_text("คุณมี")
    staff_b.wait_for_timeout(2_500)
    expect(staff_b.locator(".alert-screen .alert-card")).to_have_count(0)
    assert Alert.objects.count() == 1
    for page in (staff_a, staff_b):
        assert not page.errors  # type: ignore[attr-defined]
        page.context.close()


def test_several_matches_then_a_walk_in(live_server, page: Page):
    base = live_server.url
    UserFactory(username="desk", role=Role.FRONTDESK, password="desk-pass-123", language="en")
    for name, number in [("Anne", "0812345678"), ("Bee", "0899995678")]:
        customer_services.customer_create(
            actor=None,
            fields={"kind": "person", "first_name_en": name},
            contact_points=[{"kind": "mobile", "value": number}],
        )
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "desk-pass-123")
    page.click("button[type=submit]")
    page.goto(f"{base}/frontdesk/")
    page.fill("input[name=q]", "5678")
    page.keyboard.press("Enter")
    expect(page.locator(".pick-card")).to_have_count(2)
    page.locator(".pick-card", has_text="Bee").click()
    expect(page.locator(".arrival-greeting")).to_have_text("Bee")

    page.fill("input[name=q]", "089 111 2222")
    page.keyboard.press("Enter")
    form = page.locator("form.walk-in")
    expect(form.locator("input[name=phone]")).to_have_value("089 111 2222")
    form.get_by_role("button").click()  # no name: the field says so
    expect(form.locator(".field-error")).to_have_count(1)
    form.locator("input[name=first_name]").fill("Mali")
    form.locator("input[name=consent_sms_service]").check()
    form.get_by_role("button").click()
    expect(page.locator(".arrival-greeting")).to_have_text("Mali")
    page.screenshot(path=ARTIFACTS / "frontdesk-walk-in.png", full_page=True)


def qr_video(path, text: str) -> None:
    """A few seconds of Y4M video of a member card held up to the camera: what Chromium's
    fake camera plays (``--use-file-for-fake-video-capture``)."""
    from samphan.frontdesk.cards import qr_image

    frame = Image.new("RGB", (640, 480), "white")
    code = qr_image(text, side=400)
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (320, 240)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as video:
        video.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(30):
            video.write(b"FRAME\n" + planes)


def test_a_member_card_shown_to_the_camera_checks_in(live_server, browser, tmp_path):
    from samphan.customers.membership import card_payload
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    base = live_server.url.replace("127.0.0.1", "localhost")  # a secure context: the camera
    UserFactory(username="desk", role=Role.FRONTDESK, password="desk-pass-123", language="en")
    customer_services.customer_create(
        actor=None,
        fields={"kind": "person", "first_name_en": "Anne", "member_number": "M202600042"},
    )
    video = tmp_path / "card.y4m"
    qr_video(video, card_payload("M202600042"))
    camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    # A browser of its own: the camera is a launch argument.
    with_camera = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + camera)
    try:
        context = with_camera.new_context(viewport=DESKTOP)
        context.grant_permissions(["camera"], origin=base)
        page = context.new_page()
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "desk")
        page.fill("input[name=password]", "desk-pass-123")
        page.click("button[type=submit]")
        page.goto(f"{base}/frontdesk/")
        page.click("[data-scan-start]")
        expect(page.locator(".arrival-greeting")).to_have_text("Anne", timeout=10_000)
        expect(page.locator("[data-scanner]")).to_be_hidden()
    finally:
        with_camera.close()


def test_out_of_the_box_a_vip_is_announced_and_greeted_politely(live_server, page: Page):
    """A fresh set-up (no rule made by hand): a VIP woman titled นางสาว, nicknamed บี,
    checks in; the card and the alert say คุณบี, never นางสาวบี. The rules page lists the
    defaults, and the rule form reads Thai throughout (เปิดใช้งาน, — เลือก —)."""
    from io import StringIO

    from django.core.management import call_command

    from tests.e2e.conftest import PHONE as PHONE_SIZE
    from tests.e2e.conftest import screenshot

    call_command("setup", "--no-demo", stdout=StringIO())
    base = live_server.url
    UserFactory(username="boss", role=Role.MANAGER, password="desk-pass-123", language="th")
    customer_services.customer_create(
        actor=None,
        fields={"kind": "person", "title": "นางสาว", "first_name": "บุษบา", "last_name": "ศรีสุข",
                "nickname": "บี", "gender": "female", "is_vip": True, "tier": "gold"},
        contact_points=[{"kind": "mobile", "value": "0812345678"}],
    )  # fmt: skip
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "desk-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/frontdesk/")
    page.fill("input[name=q]", "0812345678")
    page.keyboard.press("Enter")
    expect(page.locator(".arrival-card .arrival-greeting")).to_have_text("คุณบี")
    expect(page.locator(".arrival-tray .alert-card .alert-greeting")).to_contain_text(
        "คุณบี", timeout=5_000
    )
    assert "นางสาวบี" not in page.content()
    assert Alert.objects.get().reasons == ["ลูกค้า VIP มาถึง"]
    page.screenshot(path=ARTIFACTS / "desk-check-in-card-alert.png", full_page=True)
    page.locator(".arrival-tray .alert-card").get_by_role("button").click()  # greeted
    expect(page.locator(".arrival-tray .alert-card")).to_have_count(0)
    expect(page.locator(".arrival-card .arrival-greeting")).to_have_text("คุณบี")
    screenshot(page, "desk-check-in-card")  # the card itself, the tray emptied

    AlertRule.objects.filter(kind="birthday").update(is_active=False)  # shown as paused
    page.goto(f"{base}/frontdesk/rules/")
    rows = page.locator("table.data-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.data-table thead")).to_contain_text("เปิดใช้งาน")
    expect(page.locator("table.data-table")).not_to_contain_text("กำลังขาย")
    expect(rows.nth(1)).to_contain_text("ปิดอยู่")
    screenshot(page, "desk-alert-rules")

    page.goto(f"{base}/frontdesk/rules/new/")
    form = page.locator("form.card")
    expect(form.locator("label[for=id_is_active]")).to_contain_text("เปิดใช้งาน")
    for name in ("kind", "tier", "tag", "team"):
        expect(form.locator(f"select[name={name}] option").first).to_have_text("— เลือก —")
    assert "Select an option" not in page.content()
    screenshot(page, "desk-alert-rule-form")
    page.set_viewport_size(PHONE_SIZE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_SIZE["width"]

    # The same form in English: its own words, an English empty choice.
    page.set_viewport_size(DESKTOP)
    page.locator(".sidebar .language-switch button, .language-switch button").first.click()
    page.wait_for_load_state()
    page.goto(f"{base}/frontdesk/rules/new/")
    expect(page.locator("label[for=id_is_active]")).to_contain_text("Active")
    expect(page.locator("select[name=kind] option").first).to_have_text("— choose —")
    screenshot(page, "desk-alert-rule-form-en")


def test_on_a_phone_the_tray_shows_the_newest_arrival_and_a_count(live_server, browser):
    """Three cards would cover the top of a 390-px page: a phone shows the newest and
    "N more", a wider screen three and the count of the rest."""
    from django.utils import timezone

    from tests.factories import CustomerFactory

    UserFactory(username="desk", role=Role.FRONTDESK, password="desk-pass-123", language="th")
    for number in range(5):
        vip = CustomerFactory(is_vip=True, nickname=f"วีไอพี{number}", title="คุณ")
        Alert.objects.create(
            customer=vip, reasons=["ลูกค้า VIP มาถึง"], everyone=True, arrived_at=timezone.now()
        )
    phone = log_in(browser, live_server.url, "desk", PHONE)
    phone.goto(f"{live_server.url}/customers/")
    tray = phone.locator(".arrival-tray")
    expect(tray.locator(".alert-card").first).to_be_visible(timeout=5_000)
    expect(tray.locator(".alert-card:visible")).to_have_count(1)
    expect(tray.locator(".alert-card").first).to_contain_text("คุณวีไอพี4")
    expect(tray.locator(".alert-more")).to_contain_text("ยังมีอีก 4 คน")
    box = tray.bounding_box()
    assert box is not None and box["height"] < PHONE["height"] / 3
    phone.screenshot(path=ARTIFACTS / "desk-tray-phone.png")
    phone.set_viewport_size(DESKTOP)
    expect(tray.locator(".alert-card:visible")).to_have_count(3)
    expect(tray.locator(".alert-more")).to_contain_text("ยังมีอีก 2 คน")
    assert phone.errors == []  # type: ignore[attr-defined]
    phone.context.close()
