"""Saving a form unchanged changes nothing, in Thai and English, in either era.

Each edit page is read as a browser reads it (tests/browser_forms.py: the values the HTML
holds, textareas with CRLF) and sent back untouched; the record, its related rows and the
audit log must be exactly as they were. A Thai birthday rendered into ``<input
type="date">`` was dropped by the browser and saved as empty; CRLF from textareas
rewrote every address: both failed here first.
"""

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone

from samphan.accounts.services import user_create
from samphan.core import forms as core_forms
from samphan.core.models import AuditEvent, ShopProfile
from samphan.core.shop import shop_profile_update
from samphan.customers import services as customer_services
from samphan.customers.models import Customer, CustomFieldDefinition, Interest, Tag
from samphan.frontdesk.models import AlertRule
from samphan.loyalty.models import EarningRule, Programme, Reward
from samphan.loyalty.services.rules import programme_save, rule_save
from samphan.marketing import campaigns
from samphan.marketing import services as marketing_services
from samphan.privacy import services as privacy_services
from samphan.sales import services as sales_services
from samphan.sales.services import LineInput
from samphan.support.models import (
    AssignmentRule,
    CannedReply,
    Category,
    ClosedDay,
    Schedule,
    SlaPolicy,
    SurveySettings,
    TicketTag,
)
from samphan.support.services import ticket_open
from tests.browser_forms import form_data
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

NOTES = "บรรทัดแรก\nบรรทัดที่สอง\n\nหลังบรรทัดว่าง"
ADDRESS = "99/1 ถนนสุขุมวิท\nแขวงคลองเตย เขตคลองเตย\nกรุงเทพฯ 10110"


def _row(instance: models.Model) -> dict[str, Any]:
    instance = type(instance).objects.get(pk=instance.pk)
    values = {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }
    for field in instance._meta.many_to_many:
        values[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return values


def _rows(queryset: models.QuerySet) -> list[dict[str, Any]]:
    # Without ids: a quote's or campaign's lines are written anew on every save.
    rows = [model_to_dict(row) for row in queryset.order_by("pk")]
    return [{name: value for name, value in row.items() if name != "id"} for row in rows]


@pytest.fixture
def records(admin_user: Any) -> dict[str, Any]:
    """One record of each edited kind, every field filled, text with line breaks."""
    CustomFieldDefinition.objects.create(key="anniversary", label="วันครบรอบ", field_type="date")
    CustomFieldDefinition.objects.create(key="shoe_size", label="เบอร์รองเท้า", field_type="number")
    CustomFieldDefinition.objects.create(key="allergy", label="แพ้อาหาร", field_type="text")
    CustomFieldDefinition.objects.create(
        key="skin", label="ผิว", field_type="choice", choices=["แห้ง", "มัน"]
    )
    tag = Tag.objects.create(name="ลูกค้าประจำ")
    interest = Interest.objects.create(name="กาแฟ")
    company = customer_services.customer_create(
        actor=admin_user,
        fields={
            "kind": "company",
            "company_name": "บริษัท สยามฟู้ดส์ จำกัด",
            "company_name_en": "Siam Foods Co., Ltd.",
            "tax_id": "0105558000111",
            "branch": "00000",
            "industry": Customer.Industry.values[1],
            "website": "https://siamfoods.example",
            "province": "กรุงเทพมหานคร",
            "address": ADDRESS,
            "notes": NOTES,
        },
    )
    referrer = CustomerFactory(first_name="มานี")
    person = customer_services.customer_create(
        actor=admin_user,
        fields={
            "kind": "person",
            "title": "นางสาว",
            "first_name": "สมหญิง",
            "last_name": "ใจงาม",
            "nickname": "หญิง",
            "first_name_en": "Somying",
            "last_name_en": "Jai-ngam",
            "birthday": dt.date(1983, 5, 23),
            "gender": "female",
            "company": company,
            "job_title": "ผู้จัดการฝ่ายจัดซื้อ",
            "member_number": "M-000123",
            "tier": "gold",
            "is_vip": True,
            "owner": admin_user,
            "team": admin_user.team,
            "source": "walk_in",
            "referred_by": referrer,
            "province": "เชียงใหม่",
            "address": ADDRESS,
            "notes": NOTES,
            "custom_fields": {
                "anniversary": "2010-02-14",
                "shoe_size": "38.5",
                "allergy": "กุ้ง",
                "skin": "แห้ง",
            },
        },
        tags=[tag],
        interests=[interest],
    )
    point = customer_services.contact_point_add(
        actor=admin_user, customer=person, kind="email", value="somying@example.com", label="งาน"
    )
    ProductFactory(sku="POS", name="ระบบ POS", list_price=Decimal("10700.00"))
    product = sales_services.product_create(
        actor=admin_user,
        fields={
            "sku": "GIFT",
            "name": "ชุดของขวัญ",
            "name_en": "Gift set",
            "list_price": Decimal("1290.00"),
            "unit_cost": Decimal("600.00"),
            "unit": "ชุด",
        },
    )
    deal = sales_services.deal_create(
        actor=admin_user,
        fields={
            "title": "POS 2 สาขา",
            "customer": person,
            "amount": Decimal("21400.00"),
            "expected_close": dt.date(2027, 1, 31),
            "source": "referral",
            "notes": NOTES,
        },
        lines=[LineInput("POS", 2)],
    )
    quote = sales_services.quote_create(actor=admin_user, deal=deal, discount="100", notes=NOTES)
    segment = marketing_services.segment_save(
        actor=admin_user,
        segment=None,
        name="ลูกค้าทอง",
        description="ทองและแพลทินัม",
        rules={"match": "all", "rules": [{"field": "tier", "op": "in", "value": ["gold"]}]},
    )
    campaign = campaigns.campaign_save(
        actor=admin_user,
        campaign=None,
        fields={
            "name": "ปีใหม่",
            "segment_id": segment.pk,
            "channel": "email",
            "holdout_percent": 10,
            "conversion_days": 14,
        },
        variants=[
            {
                "share": 100,
                "subject_th": "สวัสดีปีใหม่",
                "text_th": NOTES,
                "subject_en": "Happy New Year",
                "text_en": "Happy\nNew Year",
            }
        ],
    )
    rule = AlertRule.objects.create(name="วีไอพีมาถึง", kind="vip", audience="everyone")
    shop_profile_update(
        actor=admin_user,
        fields={
            "name": "ร้านสัมพันธ์",
            "name_en": "Samphan Shop",
            "address": ADDRESS,
            "tax_id": "0105558000111",
            "branch": "00000",
            "promptpay_id": "0812345678",
            "public_url": "https://shop.example",
            "privacy_notice": NOTES,
            "privacy_url": "https://shop.example/privacy",
        },
    )
    colleague = user_create(
        actor=admin_user,
        username="somsri",
        first_name="สมศรี",
        last_name="ขายเก่ง",
        email="somsri@example.com",
        role="sales",
        team=admin_user.team,
        password="pw-Secret-2569",
    )
    found = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=3)
    subject_request = privacy_services.subject_request_create(
        actor=admin_user,
        data={
            "kind": "correction",
            "requester_name": "สมชาย ใจดี",
            "requester_contact": "0812345678",
            "customer": person,
            "identity_method": "id_card",
            "identity_note": "บัตรประชาชน 3-1005-xxxxx-xx-1",
            "received_on": dt.date(2026, 2, 28),
            "handled_by": admin_user,
            "notes": NOTES,
        },
    )
    breach = privacy_services.breach_create(
        actor=admin_user,
        data={
            "what_happened": NOTES,
            "found_at": found,
            "happened_at": found - dt.timedelta(days=1, hours=3),
            "affected_count": 12,
            "data_kinds": "ชื่อ, เบอร์โทร",
            "risk": "high",
            "measures": NOTES,
            "regulator_notified_at": found + dt.timedelta(hours=20),
            "people_notified_at": found + dt.timedelta(hours=30),
        },
        customers=[person],
    )
    ticket = ticket_open(
        actor=admin_user, subject="ฝาเครื่องแตก", body=NOTES, channel="phone", customer=person,
        priority="high", category=Category.objects.first(), owner=colleague,
    )  # fmt: skip
    # Support's settings a fresh install lacks: a team's own hours, a closed day, a rule.
    night = {f"{day}_{end}": dt.time(hour) for day in ("saturday", "sunday")
             for end, hour in (("opens", 18), ("closes", 23))}  # fmt: skip
    Schedule.objects.create(name="กะดึก / Night", team=admin_user.team, **night)
    ClosedDay.objects.create(date=dt.date(2026, 12, 5), name="วันพ่อ")
    AssignmentRule.objects.create(team=admin_user.team, mode="load")
    # The loyalty programme saved once, and a promotion with every kind of condition.
    programme_save(actor=admin_user, fields={"baht_per_point": Decimal("12.50"),
                                             "max_points_per_order": 500})  # fmt: skip
    earning_rule = rule_save(actor=admin_user, rule=None, fields={
        "name": "เดือนเกิดคูณสาม / Birthday ×3", "multiplier": Decimal("3"), "bonus_points": 50,
        "channel": "line", "tier": "gold", "product": product, "weekdays": 1 | 64,
        "birthday_month": True, "min_spend": Decimal("499.50"),
        "starts_on": dt.date(2026, 2, 28), "ends_on": dt.date(2027, 2, 28)})  # fmt: skip
    reward = Reward.objects.create(
        name="ลาเต้เย็น / Iced latte", name_en="Iced latte", description=NOTES[:300].replace("\n", " "),
        points=350, cash=Decimal("19.50"), stock=40, per_member=2, min_tier="silver",
        starts_on=dt.date(2026, 2, 28), ends_on=dt.date(2027, 2, 28), voucher_days=14,
    )  # fmt: skip
    return {
        "reward": reward,
        "earning_rule": earning_rule,
        "ticket": ticket,
        "subject_request": subject_request,
        "breach": breach,
        "colleague": colleague,
        "person": person,
        "company": company,
        "point": point,
        "product": product,
        "deal": deal,
        "quote": quote,
        "segment": segment,
        "campaign": campaign,
        "rule": rule,
    }


# form → (edit page, the record it edits, a field its form has, related rows that must stay)
CASES: dict[
    str, tuple[Callable[[dict], str], Callable[[dict], Any], str, Callable[[dict], Any]]
] = {
    "CustomerForm": (
        lambda r: f"/customers/{r['person'].pk}/edit/",
        lambda r: r["person"],
        "first_name",
        lambda r: _rows(r["person"].contact_points.all()),
    ),
    "CompanyForm": (
        lambda r: f"/customers/{r['company'].pk}/edit/",
        lambda r: r["company"],
        "company_name",
        lambda r: None,
    ),
    "ContactPointForm": (
        lambda r: f"/customers/{r['person'].pk}/contacts/{r['point'].pk}/",
        lambda r: r["point"],
        "value",
        lambda r: None,
    ),
    "ProductForm": (
        lambda r: f"/sales/products/{r['product'].pk}/",
        lambda r: r["product"],
        "sku",
        lambda r: None,
    ),
    "TicketUpdateForm": (
        lambda r: f"/support/{r['ticket'].pk}/",
        lambda r: r["ticket"],
        "priority",
        lambda r: _rows(r["ticket"].messages.all()),
    ),
    "DealForm": (
        lambda r: f"/sales/deals/{r['deal'].pk}/edit/",
        lambda r: r["deal"],
        "title",
        lambda r: _rows(r["deal"].lines.all()),
    ),
    "QuoteForm": (
        lambda r: f"/sales/quotes/{r['quote'].pk}/edit/",
        lambda r: r["quote"],
        "valid_until",
        lambda r: _rows(r["quote"].lines.all()),
    ),
    "SegmentForm": (
        lambda r: f"/segments/{r['segment'].pk}/edit/",
        lambda r: r["segment"],
        "rules",
        lambda r: None,
    ),
    "CampaignForm": (
        lambda r: f"/segments/campaigns/{r['campaign'].pk}/edit/",
        lambda r: r["campaign"],
        "holdout_percent",
        lambda r: _rows(r["campaign"].variants.all()),
    ),
    "AlertRuleForm": (
        lambda r: f"/frontdesk/rules/{r['rule'].pk}/",
        lambda r: r["rule"],
        "kind",
        lambda r: None,
    ),
    "ShopProfileForm": (
        lambda r: "/settings/shop/",
        lambda r: ShopProfile.objects.get(),
        "name",
        lambda r: None,
    ),
    "UserEditForm": (
        lambda r: f"/users/{r['colleague'].pk}/",
        lambda r: r["colleague"],
        "first_name",
        lambda r: None,
    ),
    "SubjectRequestProgressForm": (
        lambda r: f"/privacy/requests/{r['subject_request'].pk}/",
        lambda r: r["subject_request"],
        "status",
        lambda r: None,
    ),
    "BreachForm": (
        lambda r: f"/privacy/breaches/{r['breach'].pk}/",
        lambda r: r["breach"],
        "what_happened",
        lambda r: list(r["breach"].customers.values_list("pk", flat=True)),
    ),
    "PreferencesForm": (
        lambda r: "/preferences/",
        lambda r: r["admin"],
        "language",
        lambda r: None,
    ),
    # Support's settings: a team's hours and the business's, each kind's first row (a
    # canned reply's lines, an SLA's tier left empty), the one survey settings row.
    **{
        form: (
            lambda r, slug=slug, first=first: f"/support/settings/{slug}/{first().pk}/",
            lambda r, first=first: first(),
            having,
            lambda r: None,
        )
        for form, slug, having, first in (
            ("ScheduleForm", "hours", "name", lambda: Schedule.objects.get(team__isnull=False)),
            ("ClosedDayForm", "closed-days", "date", ClosedDay.objects.first),
            ("SlaPolicyForm", "sla", "priority", SlaPolicy.objects.first),
            ("CategoryForm", "categories", "name", Category.objects.first),
            ("TicketTagForm", "tags", "name", TicketTag.objects.first),
            ("CannedReplyForm", "canned-replies", "body", CannedReply.objects.first),
            ("AssignmentRuleForm", "assignment", "mode", AssignmentRule.objects.first),
            ("SurveySettingsForm", "surveys", "delay_hours", SurveySettings.objects.first),
        )
    },
}


# Forms with no edit page, each with its own test of what an untouched field means.
CASES["ProgrammeForm"] = (
    lambda r: "/points/settings/",
    lambda r: Programme.objects.order_by("-pk").first(),
    "baht_per_point",
    lambda r: Programme.objects.count(),
)
CASES["RuleForm"] = (
    lambda r: f"/points/settings/rules/{r['earning_rule'].pk}/",
    lambda r: r["earning_rule"],
    "name",
    lambda r: EarningRule.objects.count(),
)
CASES["RewardForm"] = (
    lambda r: f"/points/rewards/{r['reward'].pk}/",
    lambda r: r["reward"],
    "points",
    lambda r: Reward.objects.count(),
)
CREATE_ONLY = {
    "InteractionForm": "test_an_untouched_time_logs_now",
    # A request is logged once; after that the detail page's progress form edits it.
    "SubjectRequestForm": "tests/privacy/test_requests.py::test_pages_list_create_and_close",
    "TicketForm": "tests/support/test_views.py::test_opening_a_ticket_for_a_phone_call",
}


@pytest.mark.parametrize("form_name", CASES)
@pytest.mark.parametrize(
    ("language", "buddhist_era"), [("th", True), ("th", False), ("en", True), ("en", False)]
)
def test_an_unchanged_save_changes_nothing(records, admin_user, form_name, language, buddhist_era):
    admin_user.language, admin_user.buddhist_era = language, buddhist_era
    admin_user.save()
    records["admin"] = admin_user
    page_of, record_of, having, related_of = CASES[form_name]
    client = Client()
    client.force_login(admin_user)
    before, related, audited = (
        _row(record_of(records)),
        related_of(records),
        AuditEvent.objects.count(),
    )

    html = client.get(page_of(records)).content.decode()
    response = client.post(page_of(records), form_data(html, having=having))

    errors = response.context and [
        form.errors
        for form in response.context.get("forms", [response.context.get("form")])
        if form
    ]
    assert response.status_code == 302, f"the unchanged form was refused: {errors}"
    assert _row(record_of(records)) == before
    assert related_of(records) == related
    new_audit = list(
        AuditEvent.objects.order_by("pk")[audited:].values("action", "subject_type", "changes")
    )
    assert new_audit == []


def _form_classes() -> list[type[forms.BaseForm]]:
    """Every form class an app of Samphan defines in its ``forms`` module."""
    found = []
    for app in apps.get_app_configs():
        if not app.name.startswith("samphan."):
            continue
        modules = [
            importlib.import_module(f"{app.name}.{name}")
            for _finder, name, _package in pkgutil.iter_modules(app.module.__path__)  # type: ignore[union-attr]
            if name == "forms" or name.endswith("_forms")
        ]
        found += [
            cls
            for module in modules
            for cls in vars(module).values()
            for cls in vars(module).values()
            if inspect.isclass(cls)
            and issubclass(cls, forms.BaseForm)
            and cls.__module__ == module.__name__
        ]
    return found


def test_every_model_form_has_a_round_trip_case_and_the_shared_base():
    """A new edit form fails here until it has a case above."""
    model_forms = [
        cls
        for cls in _form_classes()
        # A shared base without a model (privacy's _RequestForm) saves nothing itself.
        if issubclass(cls, forms.BaseModelForm) and cls._meta.model is not None
    ]
    assert model_forms, "no model forms found"
    for cls in model_forms:
        name = cls.__name__
        assert issubclass(cls, core_forms.ModelForm), f"{name} must extend core.forms.ModelForm"
        assert name in CASES or name in CREATE_ONLY, f"{name} has no unchanged-save case"


def test_every_form_reads_dates_and_text_as_shown():
    """No form of the app uses Django's own date widgets or textarea: their values come back
    in another shape than they went out (the locale's format, CRLF)."""
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            where = f"{cls.__module__}.{cls.__name__}.{name}"
            if isinstance(field, forms.DateTimeField):
                assert isinstance(field, core_forms.DateTimeField), where
            elif isinstance(field, forms.DateField):
                assert isinstance(field, core_forms.DateField), where
            if isinstance(field.widget, forms.Textarea):
                assert isinstance(field.widget, core_forms.Textarea), where


@pytest.mark.parametrize(("language", "buddhist_era"), [("th", True), ("en", False)])
def test_an_untouched_time_logs_now(records, admin_user, language, buddhist_era):
    """The log form shows the time the page opened; sent untouched, it means "now", and a
    time typed in the reader's era is read as that era."""
    admin_user.language, admin_user.buddhist_era = language, buddhist_era
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    person = records["person"]
    html = client.get(f"/customers/{person.pk}/").content.decode()
    data = form_data(html, having="summary")
    data["summary"] = ["โทรหา"]
    client.post(f"/customers/{person.pk}/interactions/", data)
    logged = person.interactions.get(summary="โทรหา")
    assert abs(logged.occurred_at - timezone.now()) < dt.timedelta(minutes=1)

    data["summary"], data["occurred_at"] = ["ย้อนหลัง"], ["01/12/2569 09:30"]
    client.post(f"/customers/{person.pk}/interactions/", data)
    typed = timezone.localtime(person.interactions.get(summary="ย้อนหลัง").occurred_at)
    assert (typed.year, typed.month, typed.day, typed.hour, typed.minute) == (2026, 12, 1, 9, 30)
