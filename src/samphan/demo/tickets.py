"""Demo support tickets, written through the services at the times they happened (so the
SLA clock runs on the demo's business hours and holidays): over the last three weeks, a
few a day, in every status; some answered late, some waiting on the customer, some solved.
One by one, so only for small loads (``loader.QUOTES_UP_TO``)."""

import datetime as dt
import random

from django.utils import timezone

from samphan.accounts.models import Role, User
from samphan.customers.models import Customer
from samphan.support import services
from samphan.support.models import Category, Survey, Ticket

MAX_TICKETS = 60
PER_CUSTOMERS = 40  # one ticket for this many demo customers
DAYS = 21

# (subject, what the customer said, the reply, the category's Thai name)
STORIES = [
    (
        "เครื่องชงกาแฟเปิดไม่ติด",
        "ซื้อไปเมื่อเดือนที่แล้ว วันนี้เปิดไม่ติดเลยค่ะ",
        "รบกวนส่งรูปป้ายรุ่นและใบเสร็จมาทางไลน์ได้เลยครับ",
        "ปัญหาสินค้า",
    ),
    (
        "ของยังไม่ได้รับ",
        "สั่งออนไลน์ตั้งแต่วันจันทร์ ยังไม่ได้ของเลยครับ",
        "ตรวจสอบแล้ว พัสดุอยู่ที่ศูนย์กระจายสินค้า จะถึงพรุ่งนี้ครับ",
        "การจัดส่ง",
    ),
    ("ขอใบกำกับภาษีเต็มรูป", "ขอใบกำกับภาษีในนามบริษัทค่ะ", "ส่งใบกำกับภาษีทางอีเมลแล้วครับ", "การชำระเงิน"),
    (
        "สอบถามโปรโมชั่นสมาชิก",
        "สมาชิกระดับทองได้ส่วนลดเท่าไหร่คะ",
        "สมาชิกระดับทองได้ส่วนลด 10% ทุกรายการครับ",
        "สอบถามข้อมูล",
    ),
    (
        "พนักงานบริการไม่สุภาพ",
        "วันเสาร์ที่แล้วที่สาขาสยาม พนักงานพูดไม่ดีค่ะ",
        "ขออภัยอย่างสูงครับ ผู้จัดการสาขาจะติดต่อกลับภายในวันนี้",
        "ร้องเรียน",
    ),
    (
        "ตัดบัตรเครดิตซ้ำ",
        "ยอดถูกตัดสองครั้งค่ะ",
        "ตรวจสอบแล้ว ยกเลิกรายการซ้ำให้แล้ว เงินจะคืนภายใน 7 วันทำการครับ",
        "การชำระเงิน",
    ),
    (
        "เปลี่ยนไซซ์รองเท้า",
        "ขอเปลี่ยนจากเบอร์ 40 เป็น 41 ได้ไหมครับ",
        "ได้ครับ นำสินค้ามาที่สาขาพร้อมใบเสร็จได้เลยครับ",
        "สอบถามข้อมูล",
    ),
]
CHANNELS = ["phone", "phone", "walk_in", "email", "line"]
PRIORITIES = ["normal", "normal", "normal", "high", "low", "urgent"]


def demo_tickets(*, first_customer_id: int, seed: int) -> int:
    """Tickets for some of the loaded customers; returns how many were made."""
    rng = random.Random(f"{seed}-tickets")
    customers = list(
        Customer.objects.filter(id__gte=first_customer_id)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    count = min(MAX_TICKETS, len(customers) // PER_CUSTOMERS)
    if not count:
        return 0
    staff = list(
        User.objects.filter(groups__name__in=[Role.SUPPORT, Role.FRONTDESK]).order_by("id")
    )
    staff = staff or list(User.objects.filter(is_active=True).order_by("id")[:3])
    categories = {c.name: c for c in Category.objects.all()}
    now = timezone.now()
    picked = rng.sample(customers, count)
    chosen = Customer.objects.in_bulk(picked)  # one query; the draw's order kept below
    for customer in (chosen[pk] for pk in picked):
        opened = now - dt.timedelta(days=rng.uniform(0, DAYS))
        subject, asked, answer, category = rng.choice(STORIES)
        agent = rng.choice(staff) if staff else None
        ticket = services.ticket_open(
            actor=None,
            subject=subject,
            body=asked,
            channel=rng.choice(CHANNELS),
            customer=customer,
            priority=rng.choice(PRIORITIES),
            category=categories.get(category),
            owner=agent if rng.random() < 0.7 else None,
            now=opened,
        )
        _play(ticket, rng, agent, answer, opened, now)
    return count


def _play(
    ticket: Ticket,
    rng: random.Random,
    agent: User | None,
    answer: str,
    opened: dt.datetime,
    now: dt.datetime,
) -> None:
    """What happened next: nothing yet (a new ticket), an answer after some hours, then
    waiting on the customer, or solved."""
    age = now - opened
    if agent is None or age < dt.timedelta(hours=2) or rng.random() < 0.2:
        return  # not answered yet: a new or open ticket, perhaps overdue
    answered = opened + dt.timedelta(hours=rng.uniform(0.2, min(30.0, age.total_seconds() / 3600)))
    status = rng.choice(["pending", "solved", "solved", "open"])
    services.ticket_reply(actor=agent, ticket=ticket, body=answer, status=status, now=answered)
    if status == "solved" and ticket.customer is not None and rng.random() < 0.6:
        _answered_survey(ticket, ticket.customer, rng, answered, now)


# Satisfaction scores as small shops see them: mostly happy, a few very unhappy.
SCORES = [5] * 10 + [4] * 5 + [3] * 2 + [2] * 2 + [1]
COMMENTS = {1: "รอนานมาก ไม่มีใครติดต่อกลับ", 2: "แก้ปัญหาช้า", 5: "บริการดีมากค่ะ ขอบคุณ"}


def _answered_survey(
    ticket: Ticket, customer: Customer, rng: random.Random, solved: dt.datetime, now: dt.datetime
) -> None:
    """The survey the worker would have sent two hours after, answered some hours later."""
    sent = solved + dt.timedelta(hours=2)
    answered = sent + dt.timedelta(hours=rng.uniform(0.1, 20))
    if answered > now:
        return
    score = rng.choice(SCORES)
    Survey.objects.create(
        customer=customer, ticket=ticket, sent_at=sent, score=score,
        comment=COMMENTS.get(score, "") if rng.random() < 0.5 else "", answered_at=answered,
    )  # fmt: skip
