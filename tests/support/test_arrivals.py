"""The front desk hears of support: the card shows the open ticket (its subject, for who may
see it) and a recent unhappy answer; the alert that announces a VIP says only that there
is one, since all its audience reads it."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.frontdesk.models import AlertRule
from samphan.frontdesk.services import check_in
from samphan.support import services
from samphan.support.arrivals import support_notes
from samphan.support.models import Survey
from tests.factories import ContactPointFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_vip_with_an_open_and_an_unhappy_ticket_is_announced_so(make_user):
    desk = make_user(Role.FRONTDESK, username="desk", language="en")
    vip = CustomerFactory(first_name="แอน", is_vip=True)
    ContactPointFactory(customer=vip, kind="mobile", value="+66812345678")
    AlertRule.objects.create(name="VIP", kind="vip")
    services.ticket_open(
        actor=None, subject="เครื่องเสียงดัง", body="ดังมาก", channel="phone", customer=vip
    )
    Survey.objects.create(customer=vip, score=1, answered_at=timezone.now() - dt.timedelta(days=3))

    arrival = check_in(actor=desk, customer=vip, method="phone")
    assert arrival.alert.reasons[0] == "VIP"
    assert arrival.alert.reasons[1] == "Has an open support ticket"  # no subject: all staff read it
    assert "1" in arrival.alert.reasons[2] and "เครื่องเสียงดัง" not in " ".join(arrival.alert.reasons)

    client = Client()
    client.force_login(desk)
    card = client.post("/frontdesk/look-up/", {"q": "0812345678"}).content.decode()
    assert "Open ticket #" in card and "เครื่องเสียงดัง" in card and "Unhappy lately: 1 of 5" in card


def test_a_happy_customer_without_open_tickets_has_no_note():
    customer = CustomerFactory()
    Survey.objects.create(customer=customer, score=5, answered_at=timezone.now())
    old = Survey.objects.create(
        customer=customer, score=1, answered_at=timezone.now() - dt.timedelta(days=40)
    )
    assert old and support_notes(customer, None) == []


def test_a_rep_reads_only_their_tickets_details(make_user):
    rep = make_user(Role.SALES, username="rep")
    customer = CustomerFactory(owner=rep)
    services.ticket_open(actor=None, subject="ลับ", body="x", channel="phone", customer=customer)
    assert support_notes(customer, rep) == []  # not the rep's ticket
