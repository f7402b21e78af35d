"""A customer who has touched every app: the person an access or erasure request is about."""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from samphan.accounts.models import Role, User
from samphan.core.periods import Period
from samphan.customers.models import ConsentRecord, Customer
from samphan.customers.services import consent_record, customer_create, customer_update
from samphan.customers.services.interactions import interaction_log
from samphan.loyalty.services import points_record
from samphan.marketing.models import Segment
from samphan.marketing.services import members_add
from samphan.messaging.models import LineAccount
from samphan.messaging.services import message_send, sms_stop
from samphan.sales.models import Quote, Stage
from samphan.sales.services import LineInput, deal_create, lead_assign, lead_capture, order_record
from samphan.sales.services.leads import LeadInput
from samphan.sales.services.quotes import quote_create, quote_mark_sent, quote_reject
from tests.factories import ProductFactory

FIRST, LAST = "ขจรศักดิ์พิเศษ", "วิลาวัณย์ทดสอบ"
NICK = "น้องขจรซ์"
FIRST_EN, LAST_EN = "Kajornsakx", "Zyxwvutsr"
PHONE = "089-135-7924"
PHONE_FORMS = ("0891357924", "891357924", "089-135-7924", "+66891357924")
EMAIL = "Kajorn.Zyx@Example.com"
LINE_ID = "kajornzyxline"
LINE_USER = "U0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def photo_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


@dataclass
class Person:
    customer: Customer
    admin: User
    period: Period


def make_person(admin_user: User, make_user: Any, settings: Any, tmp_path: Any) -> Person:
    settings.MEDIA_ROOT = tmp_path
    admin = admin_user
    name = f"{FIRST} {LAST}"
    customer = customer_create(
        actor=admin,
        fields={
            "first_name": FIRST, "last_name": LAST, "nickname": NICK,
            "first_name_en": FIRST_EN, "last_name_en": LAST_EN,
            "birthday": dt.date(1990, 4, 13), "address": f"99 ซอย{FIRST} กรุงเทพฯ",
            "notes": f"{NICK} ชอบสีฟ้า โทร {PHONE}", "job_title": "ครู",
        },
        contact_points=[
            {"kind": "mobile", "value": PHONE, "is_preferred": True},
            {"kind": "email", "value": EMAIL},
            {"kind": "line", "value": LINE_ID},
        ],
        photo=photo_upload(),
    )  # fmt: skip
    customer_update(actor=admin, customer=customer, fields={"nickname": NICK + "ๆ"})
    customer_update(actor=admin, customer=customer, fields={"nickname": NICK})
    consent_record(
        actor=admin, customer=customer, channel="email", status=ConsentRecord.Status.GRANTED
    )
    product = ProductFactory(list_price=Decimal("1500"))
    order_record(
        actor=admin, customer=customer, lines=[LineInput(product.pk, Decimal(2))],
        channel="store", note=f"ส่งให้{NICK} {PHONE}",
    )  # fmt: skip
    message_send(
        actor=admin, customer=customer, channel="email", purpose="marketing",
        subject=f"สวัสดี {FIRST}", text=f"เรียนคุณ{FIRST} {LAST}", idempotency_key="p1",
    )  # fmt: skip
    interaction_log(
        actor=admin, customer=customer, kind="call", summary=f"โทรหา{NICK}",
        body=f"{FIRST} ขอให้ส่งไปที่ {EMAIL}",
    )  # fmt: skip
    api = Client()
    api.force_login(admin)
    answer = api.post(
        "/api/v1/frontdesk/check-ins", {"phone": "0891357924"}, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    points_record(actor=admin, customer=customer, kind="adjust", points=50, note=f"ของขวัญ{NICK}")
    lead = lead_capture(
        actor=admin,
        data=LeadInput(first_name=FIRST, phone=PHONE, email=EMAIL, message=f"{FIRST} อยากได้ผ้าม่าน"),
    )
    assert lead.customer_id == customer.pk
    lead_assign(actor=admin, lead=lead, owner=make_user(Role.SALES, username="rep"))
    won = Stage.objects.filter(pipeline__is_default=True, outcome="won").first()
    deal = deal_create(
        actor=admin, fields={"title": f"ผ้าม่าน {FIRST}", "customer": customer, "notes": NICK},
        stage=won, lines=[LineInput(product.pk, Decimal(1))],
    )  # fmt: skip
    quote = quote_create(actor=admin, deal=deal, notes=f"สำหรับ{FIRST}")
    quote_mark_sent(actor=admin, quote=quote, pdf=f"%PDF {FIRST_EN} {LAST_EN}".encode())
    quote_reject(actor=admin, quote=Quote.objects.get(pk=quote.pk))
    sms_stop("+66891357924")
    LineAccount.objects.create(user_id=LINE_USER, customer=customer)
    segment = Segment.objects.create(name="ลูกค้าพิเศษ", kind=Segment.Kind.STATIC)
    members_add(actor=admin, segment=segment, customer_ids=[customer.pk])
    today = timezone.localdate()
    customer.refresh_from_db()
    assert name in customer.display_name
    return Person(customer, admin, Period(today.replace(day=1), today))


person = pytest.fixture(make_person, name="person")
