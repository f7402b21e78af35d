"""Support in a real browser, end to end: a customer e-mails, staff replies from the inbox
(the reply reaches a real SMTP server on loopback, threaded under the customer's mail),
the customer's answer reopens the ticket, staff solve it, the worker sends the
satisfaction survey, the customer answers it on a phone, and the score shows on their
page."""

import datetime as dt
import re
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from samphan.accounts.models import Role
from samphan.messaging.outbox import Outbox, RateLimits
from samphan.support.mailin import mail_receive
from samphan.support.models import CannedReply, Ticket
from samphan.support.surveys import csat_round
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import ContactPointFactory, CustomerFactory, UserFactory
from tests.messaging.conftest import smtp_mailers
from tests.messaging.servers import SmtpInbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def mail(text: str, message_id: str, subject: str = "ของที่สั่งไม่ครบ", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = "Ann Lee <ann@example.com>", "help@samphan.test"
    message["Subject"], message["Message-ID"] = subject, message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message.as_bytes()


def run_worker(page: Page) -> int:
    """The outbox, run here with no page open (the live server shares this test's
    database connection on SQLite: nothing may be served meanwhile)."""
    page.goto("about:blank")
    return Outbox(RateLimits({})).run()


def test_email_reply_reopen_solve_survey_on_a_phone(
    live_server, page: Page, browser: Browser, settings
):
    base = live_server.url
    settings.SAMPHAN_SUPPORT_EMAIL = "help@samphan.test"
    settings.SAMPHAN_PUBLIC_URL = base
    UserFactory(username="nok", role=Role.SUPPORT, password="nok-pass-123", first_name="นก")
    # A browser test's database is emptied between tests, the migrations' rows with it.
    CannedReply.objects.get_or_create(
        language="th",
        title="รับเรื่องแล้ว",
        defaults={"body": "สวัสดีค่ะ คุณ{name}\n\nรับเรื่อง {ticket} แล้วค่ะ"},
    )
    customer = CustomerFactory(first_name="แอน", last_name="ลี")
    ContactPointFactory(customer=customer, kind="email", value="ann@example.com")

    # 1. The customer writes to the support address.
    ticket = Ticket.objects.get(
        pk=mail_receive(mail("สั่งแก้ว 6 ใบ ได้มา 5 ใบค่ะ", "<a1@mail.example.com>")).ticket_id
    )
    assert ticket.customer == customer

    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "nok")
    page.fill("input[name=password]", "nok-pass-123")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("นก")
    page.goto(f"{base}/support/")
    page.keyboard.press("j")  # the keys of the inbox: the first row, tick it, open it
    page.keyboard.press("x")
    expect(page.locator(f"input[name=ticket][value='{ticket.pk}']")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.locator(".reply-route")).to_contain_text("ann@example.com")

    # 2. Staff reply from the ticket's page, starting from a canned reply.
    page.locator("select[data-canned]").select_option(label="รับเรื่องแล้ว (ไทย)")
    expect(page.locator("#id_body")).to_have_value(re.compile(f"คุณแอน ลี.*#{ticket.pk}", re.S))
    page.fill("#id_body", "ขออภัยค่ะ จะส่งแก้วที่ขาดไปให้พรุ่งนี้ค่ะ")
    page.locator(".reply-form button[type=submit]").click()
    expect(page.locator(".thread-out")).to_contain_text("จะส่งแก้วที่ขาดไปให้พรุ่งนี้")
    screenshot(page, "support-ticket-replied")

    with SmtpInbox() as smtp:
        settings.MAILERS = smtp_mailers(smtp.port)
        assert run_worker(page) == 1
        (reply,) = smtp.messages
        assert reply["In-Reply-To"] == "<a1@mail.example.com>"
        assert reply["Subject"] == f"Re: ของที่สั่งไม่ครบ [#{ticket.pk}]"

        # 3. The customer answers the reply: the ticket, waiting on them, opens again.
        answer = mail(
            "ได้รับแล้วค่ะ แต่แตก 1 ใบ", "<a2@mail.example.com>", subject=reply["Subject"],
            In_Reply_To=reply["Message-ID"], References=reply["Message-ID"],
        )  # fmt: skip
        assert mail_receive(answer).outcome == "added"
        page.goto(f"{base}/support/{ticket.pk}/")
        expect(page.locator("h1 .status")).to_have_text("กำลังดำเนินการ")
        expect(page.locator(".thread-in").last).to_contain_text("แตก 1 ใบ")

        # 4. Staff solve it with their reply.
        page.fill("#id_body", "ส่งใบใหม่ให้แล้วค่ะ")
        page.locator("select#id_status").last.select_option("solved")
        page.locator(".reply-form button[type=submit]").click()
        expect(page.locator("h1 .status")).to_have_text("แก้ไขแล้ว")

        # 5. Two hours later the worker sends the satisfaction survey.
        page.goto("about:blank")
        assert csat_round(timezone.now() + dt.timedelta(hours=3)) == 1
        assert run_worker(page) == 2  # the second reply, the survey
        survey_mail = smtp.messages[-1]
    link = re.search(r"https?://\S+/p/survey/\S+/", survey_mail.get_body(("plain",)).get_content())
    assert link, "the survey's link is in the mail"

    # 6. The customer answers on a phone, in Thai, once.
    phone = browser.new_context(viewport=PHONE, locale="th-TH").new_page()
    phone.goto(base + urlsplit(link[0]).path)
    expect(phone.locator("h1")).to_contain_text(f"#{ticket.pk}")
    phone.locator("label.score-choice", has_text="4").click()
    phone.fill("#id_comment", "ส่งของเร็วดีค่ะ")
    screenshot(phone, "support-survey-phone")
    phone.locator("form button[type=submit]").click()
    expect(phone.locator("h1")).to_have_text("ขอบคุณ!")
    phone.reload()
    expect(phone.locator("h1")).to_have_text("คุณตอบแบบสอบถามนี้แล้ว")
    phone.context.close()

    # 7. The score is on the customer's page.
    page.goto(f"{base}/customers/{customer.pk}/")
    panel = page.locator("#support-panel")
    expect(panel).to_contain_text("4/5")
    expect(panel).to_contain_text("ส่งของเร็วดีค่ะ")
    screenshot(page, "support-customer-panel")
