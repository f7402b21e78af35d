"""Marketing in a real browser: build a segment with the rule builder (live count as you
edit), write an A/B e-mail campaign, send it, see the messages arrive at a real SMTP
server on loopback and the results page update by itself."""

import re

import pytest
from playwright.sync_api import Page, expect

from samphan.accounts.models import Role
from samphan.marketing.campaigns import campaigns_run
from samphan.messaging.outbox import Outbox, RateLimits
from tests.e2e.conftest import screenshot
from tests.factories import ContactPointFactory, CustomerFactory, UserFactory
from tests.messaging.conftest import grant, smtp_mailers
from tests.messaging.servers import SmtpInbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_segment_to_ab_campaign_to_results(live_server, page: Page, settings):
    base = live_server.url
    UserFactory(username="mkt", role=Role.MARKETING, password="mkt-pass-123", language="en")
    for number in range(12):
        customer = CustomerFactory(nickname=f"แอน{number}", tier="gold" if number < 8 else "silver")
        ContactPointFactory(customer=customer, kind="email", value=f"c{number}@example.com")
        grant(customer, "email")

    # While the worker's loops run in this thread, the page's requests wait: the live
    # server shares this test's database (in memory on SQLite: one connection), so a
    # request served meanwhile (the results' polling, the alert tray's) would collide.
    paused, held, under_way = [False], [], set()

    def hold_while_paused(route):
        if paused[0]:
            held.append(route)
        else:
            under_way.add(route.request)
            route.continue_()

    page.route("**/*", hold_while_paused)
    page.on("requestfinished", lambda request: under_way.discard(request))
    page.on("requestfailed", lambda request: under_way.discard(request))

    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "mkt")
    page.fill("input[name=password]", "mkt-pass-123")
    page.locator(
        "form[action='/login/'] button[type=submit], .login-card button[type=submit]"
    ).first.click()

    # A segment: gold tier, built with the controls; the count follows each change.
    page.goto(f"{base}/segments/new/")
    page.fill("#id_name", "ลูกค้าทอง")
    expect(page.locator(".preview-count strong")).to_have_text("12")
    page.locator(".rule-actions button").first.click()
    page.locator(".rule-row select").first.select_option("tier")
    page.locator(".rule-row label.chip-check", has_text="Gold").click()
    expect(page.locator(".preview-count strong")).to_have_text("8")
    screenshot(page, "segment-builder")
    page.locator(".segment-form .form-actions button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("ลูกค้าทอง")
    expect(page.locator(".result-count")).to_contain_text("8")

    # An A/B campaign to it, by e-mail, a quarter held out.
    page.goto(f"{base}/segments/campaigns/new/")
    page.fill("#id_name", "โปรธันวา")
    page.locator("#id_segment").select_option(label="ลูกค้าทอง")
    page.locator("#id_channel").select_option("email")
    page.fill("#id_holdout_percent", "25")
    page.fill("#id_variants-0-subject_th", "ลด 20% สำหรับคุณ{{ nickname }}")
    page.fill("#id_variants-0-text_th", "สวัสดีคุณ{{ nickname }} ลด 20% ที่ https://shop.example/a")
    page.fill("#id_variants-1-subject_th", "ของขวัญสำหรับคุณ{{ nickname }}")
    page.fill("#id_variants-1-text_th", "คุณ{{ nickname }} รับของขวัญที่ https://shop.example/b")
    page.locator(".campaign-form .form-actions button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("โปรธันวา")
    expect(page.locator("#campaign-preview")).to_contain_text("Variant A")

    with SmtpInbox() as inbox:
        settings.MAILERS = smtp_mailers(inbox.port)
        settings.DEFAULT_FROM_EMAIL = "ร้านสัมพันธ์ <shop@samphan.test>"
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator(".schedule-form button[type=submit]").click()
        expect(page.locator("#campaign-results .status")).to_have_text(
            re.compile("Scheduled|Sending")
        )
        # The worker's two loops, run here while the page's requests wait.
        paused[0] = True
        while under_way:  # the requests let through finish; new ones are held
            page.wait_for_timeout(50)
        campaigns_run()
        sent = Outbox(RateLimits({})).run()
        campaigns_run()
        paused[0] = False
        for route in held:
            under_way.add(route.request)
            route.continue_()
        assert sent == 6 == len(inbox.messages)  # 8 in the segment, 2 held out
        subjects = {mail["Subject"] for mail in inbox.messages}
        assert all(
            re.match(r"(ลด 20% สำหรับคุณ|ของขวัญสำหรับคุณ)แอน\d+", subject) for subject in subjects
        )
    # The results card polls every two seconds: it turns "sent" without a reload.
    expect(page.locator("#campaign-results .status")).to_have_text("Sent", timeout=6000)
    rows = page.locator(".results-table tbody tr")
    expect(rows).to_have_count(3)  # A, B, hold-out
    expect(rows.nth(2).locator("th")).to_have_text("Hold-out")
    expect(rows.nth(2).locator("td").first).to_have_text("2")
    expect(page.locator(".verdict")).to_contain_text("No winner can be called")
    screenshot(page, "campaign-results")
