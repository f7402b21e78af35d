"""Retention (issue 20): the plan lists exactly what applying does; leads 25 months old
go and 23 months old stay; a customer who bought is never erased; erasure's refusals are
respected; the dry run (the plan, the page, the command) writes nothing; the worker
applies once a day and only when an admin turned it on."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samphan.accounts.models import Role
from samphan.core.models import AuditEvent
from samphan.customers.models import Customer
from samphan.messaging.models import Message
from samphan.privacy.access_log import CustomerAccess
from samphan.privacy.retention import (
    months_before,
    retention_apply,
    retention_daily,
    retention_plan,
    retention_policy_update,
)
from samphan.privacy.retention_models import RetentionPolicy
from samphan.sales.models import Deal, Lead, Pipeline, Stage
from samphan.sales.services import LineInput, order_record
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 6)


def months_ago(months: int) -> dt.datetime:
    day = months_before(TODAY, months)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def aged(customer: Customer, months: int) -> Customer:
    Customer.objects.filter(pk=customer.pk).update(
        created_at=months_ago(months), updated_at=months_ago(months)
    )
    return customer


def lead_of(months: int, status: str = Lead.Status.DISQUALIFIED) -> Customer:
    customer = CustomerFactory(stage=Customer.Stage.LEAD)
    lead = Lead.objects.create(customer=customer, status=status, message="อยากได้ผ้าม่าน")
    Lead.objects.filter(pk=lead.pk).update(
        created_at=months_ago(months), updated_at=months_ago(months)
    )
    return aged(customer, months)


def planned(key: str) -> set[int]:
    plan = {item.key: item for item in retention_plan(TODAY)}
    assert plan[key].count == len(plan[key].sample)  # few enough to be listed whole
    return {pk for pk, _day in plan[key].sample}


def erased(*customers: Customer) -> set[int]:
    pks = [c.pk for c in customers]
    return set(
        Customer.objects.filter(pk__in=pks, erased_at__isnull=False).values_list("pk", flat=True)
    )


def test_leads_25_months_old_go_and_23_months_old_stay():
    old, recent = lead_of(25), lead_of(23)
    untouched = lead_of(26, status=Lead.Status.NEW)
    converted = lead_of(30, status=Lead.Status.CONVERTED)
    assert planned("leads") == {old.pk, untouched.pk}
    done = retention_apply(actor=None, today=TODAY)
    assert done["leads"] == 2
    assert erased(old, recent, untouched, converted) == {old.pk, untouched.pk}
    assert Lead.objects.get(customer=old).message == ""
    assert planned("leads") == set()  # nothing left to do: applying twice does nothing
    event = AuditEvent.objects.get(subject_type="privacy.retentionpolicy", action="erase")
    assert event.changes["retention"] == "leads" and event.changes["count"] == 2


def test_a_customer_who_bought_is_never_erased_and_inactive_ones_are(admin_user: Any):
    inactive = aged(CustomerFactory(), 40)
    active_lately = aged(CustomerFactory(), 40)
    buyer = CustomerFactory()
    order_record(
        actor=admin_user,
        customer=buyer,
        lines=[LineInput(ProductFactory().pk, Decimal(1))],
        channel="store",
    )
    aged(buyer, 120)
    young = aged(CustomerFactory(), 30)
    from tests.factories import InteractionFactory

    InteractionFactory(customer=active_lately, occurred_at=months_ago(2))
    assert planned("customers") == {inactive.pk}
    retention_apply(actor=None, today=TODAY)
    assert erased(inactive, active_lately, buyer, young) == {inactive.pk}


def test_erasure_refusals_are_respected():
    pipeline = Pipeline.objects.create(name="ขาย")
    stage = Stage.objects.create(pipeline=pipeline, name="เปิด", position=1)
    with_open_deal = aged(CustomerFactory(), 40)
    Deal.objects.create(
        customer=with_open_deal,
        stage=stage,
        title="ผ้าม่าน",
        pipeline=pipeline,
        stage_entered_at=months_ago(40),
    )
    company = aged(CustomerFactory(kind=Customer.Kind.COMPANY), 40)
    assert planned("customers") == set()
    retention_apply(actor=None, today=TODAY)
    assert erased(with_open_deal, company) == set()


def test_message_texts_are_blanked_and_the_access_log_trimmed():
    customer = CustomerFactory()
    old = Message.objects.create(
        key="00000000-0000-0000-0000-000000000001", customer=customer, channel="sms",
        purpose="service", to="+66812345678", text="นัดวันพรุ่งนี้", status="sent",
        created_at=months_ago(13),
    )  # fmt: skip
    new = Message.objects.create(
        key="00000000-0000-0000-0000-000000000002", customer=customer, channel="sms",
        purpose="service", to="+66812345678", text="ขอบคุณครับ", status="sent",
        created_at=months_ago(11),
    )  # fmt: skip
    seen_old = CustomerAccess.objects.create(
        customer_id=customer.pk, user_id=1, at=months_ago(25), kind=1
    )
    seen_new = CustomerAccess.objects.create(
        customer_id=customer.pk, user_id=1, at=months_ago(23), kind=1
    )
    assert planned("messages") == {old.pk} and planned("access_log") == {seen_old.pk}
    assert retention_apply(actor=None, today=TODAY) == {
        "leads": 0, "customers": 0, "messages": 1, "access_log": 1,
    }  # fmt: skip
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.text, old.to, old.status) == ("", "+66812345678", "sent")
    assert new.text == "ขอบคุณครับ"
    assert list(CustomerAccess.objects.values_list("pk", flat=True)) == [seen_new.pk]


def test_zero_keeps_forever():
    old = lead_of(60)
    retention_policy_update(actor=None, data={"leads_months": 0, "customers_months": 0})
    plan = {item.key: item for item in retention_plan(TODAY)}
    assert plan["leads"].before is None and plan["leads"].count == 0
    retention_apply(actor=None, today=TODAY)
    assert erased(old) == set()


def test_the_dry_run_writes_nothing(admin_client: Any):
    lead_of(30)
    with CaptureQueriesContext(connection) as queries:
        retention_plan(TODAY)
        assert admin_client.get(reverse("retention_settings")).status_code == 200
        out = StringIO()
        call_command("retention", stdout=out)
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert [w for w in writes if "django_session" not in w] == []
    assert "leads: 1" in out.getvalue() and "Dry run" in out.getvalue()
    assert not Customer.objects.filter(erased_at__isnull=False).exists()


def test_the_command_applies_with_apply():
    old = lead_of(30)
    out = StringIO()
    call_command("retention", "--apply", stdout=out)
    assert "applied leads: 1" in out.getvalue()
    assert erased(old) == {old.pk}


def test_the_worker_applies_once_a_day_and_only_when_turned_on():
    old = lead_of(30)
    assert retention_daily(TODAY) is None  # off by default: a dry run only
    assert erased(old) == set()
    retention_policy_update(actor=None, data={"auto_apply": True})
    assert retention_daily(TODAY) == {"leads": 1, "customers": 0, "messages": 0, "access_log": 0}
    later = lead_of(30)
    assert retention_daily(TODAY) is None  # the same day again: nothing
    assert erased(old, later) == {old.pk}
    assert retention_daily(TODAY + dt.timedelta(days=1))["leads"] == 1


# -- The page -----------------------------------------------------------------------------


def test_the_page_shows_the_plan_and_saves_periods(admin_client: Any):
    old = lead_of(30)
    page = admin_client.get(reverse("retention_settings"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="plan-leads"' in html and f"#{old.pk}" in html
    answer = admin_client.post(
        reverse("retention_settings"),
        {"leads_months": "48", "customers_months": "36", "messages_months": "12",
         "access_log_months": "24"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert RetentionPolicy.current().leads_months == 48
    assert AuditEvent.objects.filter(
        subject_type="privacy.retentionpolicy", action="update"
    ).exists()


@pytest.mark.parametrize("value", ["-1", "241", "abc"])
def test_a_bad_period_is_shown_beside_the_field_and_changes_nothing(admin_client: Any, value: str):
    answer = admin_client.post(
        reverse("retention_settings"),
        {"leads_months": value, "customers_months": "36", "messages_months": "12",
         "access_log_months": "24"},
    )  # fmt: skip
    assert answer.status_code == 200
    assert "leads_months" in answer.context["form"].errors
    assert RetentionPolicy.current().leads_months == 24


def test_apply_now_on_the_page(admin_client: Any):
    old = lead_of(30)
    answer = admin_client.post(reverse("retention_settings"), {"apply": "1"})
    assert answer.status_code == 302
    assert erased(old) == {old.pk}


def test_only_admins_open_the_page(make_user: Any):
    from django.test import Client

    client = Client()
    client.force_login(make_user(Role.MANAGER, username="manager"))
    assert client.get(reverse("retention_settings")).status_code == 403
    assert client.post(reverse("retention_settings"), {"apply": "1"}).status_code == 403


def test_the_worker_runs_it():
    from samphan.core.background import registered

    loops = {loop.name: loop for loop in registered()}
    assert loops["privacy-retention"].function is retention_daily
    assert loops["privacy-retention"].every <= 3600


def test_the_page_reads_in_english(make_user: Any):
    from django.test import Client

    client = Client()
    client.force_login(make_user(Role.ADMIN, username="admin-en", language="en"))
    html = client.get(reverse("retention_settings"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What would happen today" in html and "Leads never converted" in html
    assert "Dry run only" in html
