"""The customer page's "Personal data (PDPA)" action and the erasure confirm page."""

import io
import zipfile
from typing import Any

from django.test import Client
from django.urls import reverse

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from samphan.sales.services import LineInput, deal_create
from tests.factories import CustomerFactory, ProductFactory
from tests.privacy.conftest import FIRST, LAST, Person


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_customer_page_offers_the_zip_to_those_who_see_it_and_erasure_to_admins(
    make_user: Any, admin_user: Any
) -> None:
    customer = CustomerFactory(first_name="มานี")
    export = reverse("customer_personal_data", args=[customer.pk])
    erase = reverse("customer_erase", args=[customer.pk])
    admin_page = logged_in(admin_user).get(reverse("customer_detail", args=[customer.pk]))
    assert export in admin_page.text and erase in admin_page.text
    assert "ข้อมูลส่วนบุคคล (PDPA)" in admin_page.text
    viewer = logged_in(make_user(Role.VIEWER, username="viewer"))
    page = viewer.get(reverse("customer_detail", args=[customer.pk]))
    assert export in page.text and erase not in page.text
    answer = viewer.get(export)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert "data.json" in zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    event = AuditEvent.objects.get(action="export", customer_id=customer.pk)
    assert event.actor.username == "viewer"
    assert viewer.get(erase).status_code == 403


def test_the_confirm_page_wants_the_name_typed(person: Person) -> None:
    client = logged_in(person.admin)
    url = reverse("customer_erase", args=[person.customer.pk])
    page = client.get(url)
    assert page.status_code == 200 and "ประมวลรัษฎากร" in page.text
    wrong = client.post(url, {"name": FIRST, "reason": "คำขอ 1"})
    assert wrong.status_code == 200 and "พิมพ์ชื่อให้ตรงตามที่แสดง" in wrong.text
    assert Customer.objects.get(pk=person.customer.pk).erased_at is None
    done = client.post(url, {"name": f"{FIRST} {LAST}", "reason": "คำขอ 1"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("customer_detail", args=[person.customer.pk])
    assert "ลบข้อมูลส่วนบุคคลแล้ว" in done.text and FIRST not in done.text


def test_the_confirm_page_says_why_it_cannot_erase_yet(person: Person) -> None:
    deal_create(
        actor=person.admin,
        fields={"title": "ผ้าม่านห้องนอน", "customer": person.customer},
        lines=[LineInput(ProductFactory().pk, 1)],
    )
    client = logged_in(person.admin)
    url = reverse("customer_erase", args=[person.customer.pk])
    page = client.get(url)
    assert "ยังลบข้อมูลของลูกค้ารายนี้ไม่ได้" in page.text and "ดีลที่ยังเปิดอยู่" in page.text
    assert "พิมพ์ชื่อลูกค้าเพื่อยืนยัน" not in page.text  # no form while it cannot be done
    client.post(url, {"name": f"{FIRST} {LAST}", "reason": "x"})
    assert Customer.objects.get(pk=person.customer.pk).erased_at is None
