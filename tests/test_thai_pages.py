"""Every page in Thai reads Thai (issue 18, point 4): logged in as an admin who reads
Thai with Buddhist-era years, every page the URL configuration names is rendered over a
small demo shop, and its visible text must hold no raw choice code (``walk_in``), no
English word outside a short list of names (tests/thai_text.py), no ISO date or time,
and no message left untranslated. The Django admin's pages are read for plurals made by
adding an English "s" to a Thai name ("ลูกค้าs").

Each failing page prints every offending string with the text around it.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from samphan.accounts.models import Role, Team, User
from samphan.analytics.forms import REPORT_KINDS
from samphan.customers import services as customer_services
from samphan.customers.imports.jobs import import_job_create, import_job_run
from samphan.customers.imports.uploads import Upload, upload_save
from samphan.customers.models import ContactPoint, Customer, DuplicateCandidate, ImportJob
from samphan.demo.loader import load_demo
from samphan.exports.build import data_export_create, data_export_run
from samphan.exports.models import DataExport
from samphan.frontdesk.models import AlertRule
from samphan.frontdesk.services import check_in
from samphan.marketing.campaigns import campaign_save
from samphan.marketing.models import Campaign, Segment
from samphan.messaging import links
from samphan.messaging.models import Message
from samphan.messaging.outbox import message_queue
from samphan.privacy import services as privacy_services
from samphan.privacy.models import Breach, SubjectRequest
from samphan.sales.models import Deal, Lead, Order, Pipeline, Product, Quote
from samphan.sales.services.leads import lead_assign, lead_disqualify
from samphan.support import surveys
from samphan.support.attachments import Incoming
from samphan.support.models import AssignmentRule, ClosedDay, Schedule, Survey, Ticket
from samphan.support.services import ticket_open
from samphan.support.settings_sections import SECTIONS
from tests import thai_text

# Not pages a person reads, so not crawled: the API (JSON, its own tests), webhooks,
# tracking pixels and redirects, files (PDF, PNG, CSV, XLSX), actions that answer only a
# POST, and the media files.
NOT_PAGES = {
    "quote_pdf": "a PDF file",
    "ticket_attachment": "a file a customer sent",
    "customer_personal_data": "a ZIP file (tests/privacy/test_views_subject.py)",
    "segment_export": "a CSV file",
    "customer_export": "a CSV or XLSX file (tests/customers/test_list_export.py)",
    "data_export_file": "a ZIP or XLSX file (tests/exports/test_full_export.py)",
    "frontdesk_member_card": "a PNG or PDF file",
    "member_card_public": "a PNG or PDF file",
    "campaign_open": "a tracking pixel",
    "campaign_click": "a tracked redirect",
    "line_webhook": "a webhook",
    "sms_inbound": "a webhook",
    "sms_status": "a webhook",
    "email_bounce": "a webhook",
    "media": "an uploaded file",
    "metrics": "Prometheus' text, 404 unless SAMPHAN_METRICS (tests/home/test_metrics.py)",
    "shop_logo": "a PNG file",
    "quote_public_pdf": "a PDF file",
    "password_reset_confirm": "a one-time link from an e-mail (tests/accounts read it)",
    "token_create": "answers a POST only",
    "quote_send": "answers a POST only",
    "support_bulk": "answers a POST only",
    "token_revoke": "answers a POST only",
    "user_active": "answers a POST only",
    "user_password_reset": "answers a POST only",
    "user_unlock": "answers a POST only",
    "user_two_factor_reset": "answers a POST only",
    "two_factor_off": "answers a POST only",
    "two_factor_verify": "only between the password and the code (tests/accounts, tests/e2e)",
    "logout": "answers a POST only",
    "language_switch": "answers a POST only",
    "customer_archive": "answers a POST only",
    "merge_undo": "answers a POST only",
    "duplicate_not": "answers a POST only",
    "duplicates_run": "answers a POST only",
    "customer_import_start": "answers a POST only",
    "customer_import_cancel": "answers a POST only",
    "customer_duplicate_reviewed": "answers a POST only",
    "contact_point_delete": "answers a POST only",
    "consent_change": "answers a POST only",
    "order_status": "answers a POST only",
    "deal_move": "answers a POST only",
    "lead_assign": "answers a POST only",
    "lead_disqualify": "answers a POST only",
    "quote_action": "answers a POST only",
    "frontdesk_check_in": "answers a POST only",
    "frontdesk_alert_greet": "answers a POST only",
    "frontdesk_rule_delete": "answers a POST only",
    "segment_delete": "answers a POST only",
    "segment_members_change": "answers a POST only",
    "campaign_schedule": "answers a POST only",
    "campaign_cancel": "answers a POST only",
    "campaign_test": "answers a POST only",
    "frontdesk_look_up": "answers a POST only",
    "frontdesk_member_make": "answers a POST only",
    "frontdesk_walk_in": "answers a POST only",
    "interaction_create": "answers a POST only",
    "order_refund": "answers a POST only",
    "segment_members_import": "answers a POST only",
    "segment_preview": "answers a POST only",
    "customer_restrict": "answers a POST only",
    "customer_restriction_lift": "answers a POST only",
    "support_setting_delete": "answers a POST only",
    "loyalty_reward_redeem": "answers a POST only",
    "loyalty_voucher_cancel": "answers a POST only",
    "loyalty_referral_decide": "answers a POST only",
    "loyalty_referral_enter": "answers a POST only",
    "loyalty_member_page_send": "answers a POST only",
    "loyalty_dashboard_csv": "a CSV file (tests/loyalty/test_dashboard.py)",
    "loyalty_dashboard_xlsx": "an XLSX file (tests/loyalty/test_dashboard.py)",
}
NOT_PAGE_PREFIXES = ("api-", "admin:", "api:")


@dataclass
class Shop:
    admin: User
    customer: Customer
    company: Customer
    contact_point: ContactPoint
    product: Product
    order: Order
    pipeline: Pipeline
    deal: Deal
    lead: Lead
    closed_lead: Lead
    quote: Quote
    segment: Segment
    campaign: Campaign
    rule: AlertRule
    message: Message
    ticket: Ticket
    survey: Survey


def shop_build(customers: int = 200) -> Shop:
    """The demo shop at a small size, and one of each record the demo does not make,
    written through the services so that their audit rows and timelines exist."""
    # Without the demo's second records: the pins and the crawl read one stable shop (the
    # crawl makes its own pair for the duplicate review).
    load_demo(customers=customers, seed=42, workers=0, second_records=False)
    admin_user = User.objects.create_user(
        "somsri", first_name="สมศรี", last_name="เจ้าของร้าน", language="th", buddhist_era=True,
        is_staff=True, is_superuser=True,
    )  # fmt: skip
    admin_user.groups.add(Group.objects.get(name=Role.ADMIN))
    customer = Customer.objects.people().filter(orders__isnull=False, birthday__isnull=False)[0]
    # A change of the birthday and the tier, so the history has a date and a code in it.
    customer_services.customer_update(
        actor=admin_user,
        customer=customer,
        fields={"birthday": customer.birthday + dt.timedelta(days=1), "tier": "gold"},
    )
    segment = Segment.objects.create(name="ลูกค้าทอง", rules={"match": "all", "rules": []})
    privacy_records(admin_user, customer)
    campaign = campaign_save(
        actor=admin_user,
        campaign=None,
        fields={"name": "โปรปีใหม่", "segment_id": segment.pk, "channel": "email"},
        variants=[{"share": 100, "subject_th": "สวัสดีปีใหม่", "text_th": "ลด 10% ทั้งร้าน"}],
    )
    rule = AlertRule.objects.create(name="ลูกค้าวีไอพี", kind=AlertRule.Kind.VIP)
    customer.is_vip = True
    customer.save(update_fields=["is_vip"])
    check_in(actor=admin_user, customer=customer, method="picked")
    email = customer.contact_points.filter(kind="email").first()
    message = message_queue(
        customer=customer, channel="email", purpose="service", to=email.value if email else
        "somchai@example.com", subject="ใบเสร็จ", text="ขอบคุณที่อุดหนุน", idempotency_key="crawl",
        actor=admin_user,
    )  # fmt: skip
    # A lead given to a colleague, then closed: its history names both.
    closed = Lead.objects.filter(status__in=["new", "working"]).order_by("id").last()
    lead_assign(actor=admin_user, lead=closed, owner=User.objects.get(username="sales2"))
    lead_disqualify(actor=admin_user, lead=closed, reason="ไม่สนใจแล้ว")
    ticket = ticket_open(
        actor=admin_user, subject="เครื่องชงกาแฟไม่ทำงาน", body="เปิดไม่ติดตั้งแต่เมื่อวาน",
        channel="phone", customer=customer,
        files=[Incoming("ใบเสร็จ.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")],
    )  # fmt: skip
    # One answered (the customer page shows its score), one waiting for its answer.
    Survey.objects.create(
        customer=customer, score=2, comment="ส่งช้า", answered_at=timezone.now(), language="th"
    )
    survey = Survey.objects.create(customer=customer, ticket=ticket, language="th")
    return Shop(
        admin=admin_user,
        customer=customer,
        company=Customer.objects.companies()[0],
        contact_point=customer.contact_points.all()[0],
        product=Product.objects.all()[0],
        order=customer.orders.all()[0],
        pipeline=Pipeline.objects.all()[0],
        deal=Deal.objects.all()[0],
        lead=Lead.objects.all()[0],
        closed_lead=closed,
        quote=Quote.objects.all()[0],
        segment=segment,
        campaign=campaign,
        rule=rule,
        message=message,
        ticket=ticket,
        survey=survey,
    )


def privacy_records(admin_user: User, customer: Customer) -> None:
    """A data-subject request for the customer and a breach (issue 20, PDPA)."""
    today = timezone.localdate()
    privacy_services.subject_request_create(actor=admin_user, data={
        "kind": "access", "requester_name": customer.display_name, "customer": customer,
        "requester_contact": "0812345678", "identity_method": "id_card",
        "received_on": today - dt.timedelta(days=25), "handled_by": admin_user,
    })  # fmt: skip
    privacy_services.breach_create(actor=admin_user, customers=[customer], data={
        "what_happened": "ส่งอีเมลรายชื่อลูกค้าถึงผู้รับผิดคน", "data_kinds": "ชื่อ อีเมล",
        "found_at": timezone.now() - dt.timedelta(hours=20), "affected_count": 40,
    })  # fmt: skip


@pytest.fixture(scope="module")
def shop(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Shop]:
    """Built once for the module inside a transaction that is rolled back at its end (each
    test's own transaction nests in it), so the rest of the suite never sees it."""
    with django_db_blocker.unblock(), transaction.atomic():
        # Thai staff make the records: a test before may have left English active, and
        # some records keep the words of whoever made them (a check-in's summary).
        with TestCase.captureOnCommitCallbacks(execute=True), translation.override("th"):
            built = shop_build()
        yield built
        transaction.set_rollback(True)


# Data that may be Latin on a Thai page: every English name (the ``*_en`` fields), contact
# addresses, and the codes and names people give their own records.
DATA_FIELDS = [
    (ContactPoint, "value"),
    (Product, "sku"),
    (Product, "name"),
    (Order, "number"),
    (Quote, "number"),
    (Lead, "campaign"),
    (User, "username"),  # staff sign in with Latin names (the demo's manager, sales1 …)
]


def english_name_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.name.endswith("_en") and isinstance(field, models.CharField)
    ]


@pytest.fixture(scope="module")
def checker(shop: Shop, django_db_blocker: Any) -> thai_text.ThaiPageChecker:
    with django_db_blocker.unblock():
        data = thai_text.data_words(english_name_fields() + DATA_FIELDS)
    return thai_text.ThaiPageChecker(
        codes=thai_text.choice_codes(), messages=thai_text.translated_message_ids(), data=data
    )


def named_patterns(
    patterns: list[Any] | None = None, namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def is_page(name: str) -> bool:
    return name not in NOT_PAGES and not name.startswith(NOT_PAGE_PREFIXES)


# Each page with a parameter, and the real record it is given.
ARGUMENTS: dict[str, Callable[[Shop], dict[str, Any]]] = {
    "customer_detail": lambda shop: {"pk": shop.customer.pk},
    "customer_detail#company": lambda shop: {"pk": shop.company.pk},
    "customer_detail#quoted": lambda shop: {"pk": shop.quote.customer_id},
    "customer_detail#closed_lead": lambda shop: {"pk": shop.closed_lead.customer_id},
    "lead_detail#closed": lambda shop: {"pk": shop.closed_lead.pk},
    "customer_edit": lambda shop: {"pk": shop.customer.pk},
    "customer_merge": lambda shop: {"pk": shop.customer.pk},
    "customer_erase": lambda shop: {"pk": shop.customer.pk},
    "contact_point_add": lambda shop: {"pk": shop.customer.pk},
    "contact_point_edit": lambda shop: {
        "pk": shop.customer.pk,
        "point_pk": shop.contact_point.pk,
    },
    "product_edit": lambda shop: {"pk": shop.product.pk},
    "order_detail": lambda shop: {"pk": shop.order.pk},
    "customer_purchases": lambda shop: {"pk": shop.customer.pk},
    "customer_suggestions": lambda shop: {"pk": shop.customer.pk},
    "pipeline_board": lambda shop: {"pk": shop.pipeline.pk},
    "deal_detail": lambda shop: {"pk": shop.deal.pk},
    "ticket_detail": lambda shop: {"pk": shop.ticket.pk},
    "deal_edit": lambda shop: {"pk": shop.deal.pk},
    "lead_detail": lambda shop: {"pk": shop.lead.pk},
    "lead_convert": lambda shop: {"pk": shop.lead.pk},
    "quote_create": lambda shop: {"deal_pk": shop.deal.pk},
    "quote_detail": lambda shop: {"pk": shop.quote.pk},
    "quote_edit": lambda shop: {"pk": shop.quote.pk},
    "customer_cadence": lambda shop: {"pk": shop.customer.pk},
    "customer_access": lambda shop: {"pk": shop.customer.pk},
    "frontdesk_rule_edit": lambda shop: {"pk": shop.rule.pk},
    "message_new": lambda shop: {"customer_id": shop.customer.pk},
    "customer_reach": lambda shop: {"pk": shop.customer.pk},
    "segment_detail": lambda shop: {"pk": shop.segment.pk},
    "segment_edit": lambda shop: {"pk": shop.segment.pk},
    "customer_lists": lambda shop: {"pk": shop.customer.pk},
    "campaign_detail": lambda shop: {"pk": shop.campaign.pk},
    "campaign_edit": lambda shop: {"pk": shop.campaign.pk},
    "campaign_preview": lambda shop: {"pk": shop.campaign.pk},
    "campaign_nps": lambda shop: {"pk": shop.campaign.pk},
    "customer_points": lambda shop: {"pk": shop.customer.pk},
    "customer_support": lambda shop: {"pk": shop.customer.pk},
    "ticket_viewers": lambda shop: {"pk": shop.ticket.pk},
    "user_edit": lambda shop: {"pk": shop.admin.pk},
    "subject_request_detail": lambda shop: {"pk": SubjectRequest.objects.order_by("pk")[0].pk},
    "breach_detail": lambda shop: {"pk": Breach.objects.order_by("pk")[0].pk},
    "customer_privacy": lambda shop: {"pk": shop.customer.pk},
    "data_export_row": lambda shop: {"pk": data_export(shop).pk},
    "data_export_file": lambda shop: {"pk": data_export(shop).pk},
    "customer_import_mapping": lambda shop: {"token": import_upload(shop)},
    "customer_import_job": lambda shop: {"pk": import_job(shop).pk},
    "support_settings#filled": lambda shop: support_settings_filled(),
    "loyalty_settings#filled": lambda shop: earning_rule() and {},
    "loyalty_rule_edit": lambda shop: {"pk": earning_rule().pk},
    "loyalty_reward_edit": lambda shop: {"pk": a_reward().pk},
    "loyalty_desk_rewards": lambda shop: {"pk": shop.customer.pk} if a_voucher(shop) else {},
    "loyalty_reward_redeem": lambda shop: {"pk": shop.customer.pk, "reward_pk": a_reward().pk},
    "loyalty_voucher": lambda shop: {"code": a_voucher(shop).code},
    "loyalty_voucher_cancel": lambda shop: {"code": a_voucher(shop).code},
    "loyalty_referrals": lambda shop: a_referral(shop) and {},
    "loyalty_referral_decide": lambda shop: {"pk": a_referral(shop).pk},
    "loyalty_referral_enter": lambda shop: {"pk": shop.customer.pk},
    "loyalty_member_page_send": lambda shop: {"pk": shop.customer.pk},
    "member_page": lambda shop: {"token": member_page_token(shop)},
    "member_card_page": lambda shop: {"signed": card_signed(a_referrer())},
    "referral_join": lambda shop: {"code": referral_code_of(a_referrer().pk)},
    "support_setting_create": lambda shop: {"section": "sla"},
    "support_setting_edit": lambda shop: {
        "section": "hours",
        "pk": Schedule.objects.get(team=None).pk,
    },
    # Each section's pages: its form to add a row (the survey settings only change) and
    # its first row's.
    **{
        f"support_setting_create#{section.slug}": lambda shop, slug=section.slug: {"section": slug}
        for section in SECTIONS
        if not section.one_row
    },
    **{
        f"support_setting_edit#{section.slug}": lambda shop, section=section: {
            "section": section.slug,
            "pk": support_settings_rows()[section.model],
        }
        for section in SECTIONS
    },
}


def earning_rule() -> Any:
    """A rule in every part of the list's words: channel, product, days, dates."""
    from samphan.loyalty.models import EarningRule

    found = EarningRule.objects.filter(name="จันทร์แต้มคูณสอง").first()
    return found or EarningRule.objects.create(
        name="จันทร์แต้มคูณสอง", multiplier=2, bonus_points=10, channel="line", weekdays=1 | 16,
        birthday_month=True, min_spend=500, starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2026, 12, 31),
    )  # fmt: skip


def a_reward() -> Any:
    from samphan.loyalty.models import Reward

    found = Reward.objects.filter(name="ลาเต้เย็น").first()
    return found or Reward.objects.create(
        name="ลาเต้เย็น", name_en="Iced latte", description="แก้วใหญ่", points=1, stock=9,
        per_member=3, min_tier="", voucher_days=14,
    )  # fmt: skip


def a_voucher(shop: "Shop") -> Any:
    from samphan.loyalty.models import Voucher
    from samphan.loyalty.services import points_record
    from samphan.loyalty.services.rewards import reward_redeem

    found = Voucher.objects.filter(customer=shop.customer).first()
    if found:
        return found
    points_record(actor=None, customer=shop.customer, kind="adjust", points=10)
    return reward_redeem(actor=None, customer=shop.customer, reward=a_reward())[0]


def a_referrer() -> Any:
    """A member with a number and a referral code, who referred the shop's customer."""
    from samphan.customers.models import Customer

    found = Customer.objects.filter(member_number="M202600999").first()
    return found or Customer.objects.create(
        first_name="สมชาย", last_name="ชวนเพื่อน", nickname="ชาย", member_number="M202600999"
    )


def a_referral(shop: "Shop") -> Any:
    """The shop's customer referred by ``a_referrer``, waiting for staff review."""
    from samphan.loyalty.models import Referral

    found = Referral.objects.filter(referred=shop.customer).first()
    return found or Referral.objects.create(
        referrer=a_referrer(), referred=shop.customer, code="K7M2QXA", channel="signup",
        status=Referral.Status.REVIEW,
    )  # fmt: skip


def member_page_token(shop: "Shop") -> str:
    from samphan.loyalty.public import member_page_link

    a_voucher(shop)  # the page with a voucher, a reward and a ledger
    return member_page_link(shop.customer.pk).split("/")[-2]


def card_signed(customer: Any) -> str:
    from samphan.customers.membership import card_page_path

    return card_page_path(customer.member_number).split("/")[-2]


def referral_code_of(customer_id: int) -> str:
    from samphan.loyalty.services.referrals import referral_code_of as code_of

    return code_of(customer_id)


def support_settings_filled() -> dict[str, Any]:
    support_settings_rows()
    return {}  # the page takes no argument


def support_settings_rows() -> dict[type[models.Model], int]:
    """A team's hours, a closed day and an assignment rule (a fresh install has none), so
    the settings page lists a row in every section; each section's first row."""
    team = Team.objects.get_or_create(name="ทีมกะดึก")[0]
    night = {"name": "กะดึก", "monday_opens": dt.time(18), "monday_closes": dt.time(23)}
    Schedule.objects.get_or_create(team=team, defaults=night)
    ClosedDay.objects.get_or_create(date=dt.date(2026, 12, 31), defaults={"name": "สิ้นปี"})
    AssignmentRule.objects.get_or_create(team=None, defaults={"mode": "load"})
    return {
        section.model: section.model._default_manager.order_by("pk")[0].pk for section in SECTIONS
    }


def data_export(shop: Shop) -> DataExport:
    """The shop's full export (a ZIP), built once."""
    export = DataExport.objects.filter(created_by=shop.admin, status="done").first()
    if export is None:
        export = data_export_create(actor=shop.admin, fmt="zip", language="th", enqueue=False)
        export = data_export_run(export)
    return export


# Pages that need a query to show anything.
QUERIES: dict[str, Callable[[Shop], str]] = {
    "campaign_preview": lambda shop: f"customer={shop.customer.pk}",
    "customer_merge": lambda shop: f"with={merge_partner(shop)}",
    "duplicate_queue": lambda shop: duplicate_pair(shop) and "sort=score",
    "customer_similar": lambda shop: (
        f"first_name={shop.customer.first_name}&last_name={shop.customer.last_name}"
    ),
}


IMPORT_FILE = "ชื่อ,มือถือ\nสมชาย,0812345678\nวิชัย,12345\n".encode()


def import_job(shop: Shop) -> ImportJob:
    """The shop's customer import (one row created, one failed), made once."""
    job = ImportJob.objects.filter(created_by=shop.admin).first()
    if job is None:
        job = import_job_create(
            actor=shop.admin,
            data=IMPORT_FILE,
            file_name="customers.csv",
            mapping={0: "first_name", 1: "mobile"},
            enqueue=False,
        )
        job = import_job_run(job)
    return job


def import_upload(shop: Shop) -> str:
    """A file the shop's admin uploaded to import, waiting at the mapping step."""
    return upload_save(shop.admin, IMPORT_FILE, Upload(token="", file_name="ลูกค้า.csv")).token


def merge_partner(shop: Shop) -> int:
    """Another person, for the merge page to compare with the shop's customer."""
    people = Customer.objects.people().exclude(pk=shop.customer.pk).order_by("pk")
    return int(people.values_list("pk", flat=True)[0])


def duplicate_pair(shop: Shop) -> DuplicateCandidate:
    """A pair for the review queue (the demo runs no finder): the shop's customer and
    another person, alike by name and birthday."""
    a, b = sorted([shop.customer.pk, merge_partner(shop)])
    return DuplicateCandidate.objects.get_or_create(
        customer_a_id=a,
        customer_b_id=b,
        defaults={"score": 0.86, "reasons": ["name_look", "birthday"], "found_at": timezone.now()},
    )[0]


# Pages that answer for a token in a link rather than for a logged-in user.
LINKS: dict[str, Callable[[Shop], str]] = {
    "unsubscribe": lambda shop: links.unsubscribe_url(shop.message),
    "message_preferences": lambda shop: links.preferences_url(shop.customer.pk),
    "survey_answer": lambda shop: surveys.survey_url(shop.survey),
}
# The same page showing something else for a query: each is crawled too.
VARIANTS = [
    *(f"report?report={kind}" for kind in REPORT_KINDS),
    "regulars?list=overdue",
    "frontdesk_expected?list=overdue",
    "frontdesk_expected?vip=1",
    "frontdesk_alerts_feed?size=screen",
    "customer_create?kind=company",
    "segment_new?kind=static",
    "customer_list?q=ส",
    "customer_detail#company",
    "customer_detail#quoted",
    "customer_detail#closed_lead",
    "lead_detail#closed",
    "lead_list?status=disqualified",
    "support_settings#filled",
    "loyalty_settings#filled",
    *(f"support_setting_create#{section.slug}" for section in SECTIONS if not section.one_row),
    *(f"support_setting_edit#{section.slug}" for section in SECTIONS),
]
PAGES = sorted(name for name, _ in named_patterns() if is_page(name)) + VARIANTS


def page_url(page: str, shop: Shop) -> str:
    """``name``, ``name?query``, or ``name#which`` (the same page for another record)."""
    page, _, query = page.partition("?")
    name = page.partition("#")[0]
    if name in LINKS:
        return urlsplit(LINKS[name](shop)).path
    url = reverse(name, kwargs=ARGUMENTS[page](shop) if page in ARGUMENTS else None)
    query = query or (QUERIES[page](shop) if page in QUERIES else "")
    return f"{url}?{query}" if query else url


def thai_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report(page: str, url: str, offences: list[thai_text.Offence]) -> str:
    lines = [f"{page} ({url}): {len(offences)} strings that are not Thai"]
    lines += [f"  {offence}" for offence in dict.fromkeys(offences)]
    return "\n".join(lines)


def test_every_named_page_is_crawled_or_said_why_not():
    """A new page with a parameter needs its record here, or the crawl would miss it."""
    names = {name for name, _ in named_patterns()}
    for name, pattern in named_patterns():
        if is_page(name) and pattern.pattern.converters and name not in LINKS:
            assert name in ARGUMENTS, f"{name}: give it a record in ARGUMENTS"
    named = {page.partition("#")[0] for page in ARGUMENTS}
    assert named | set(NOT_PAGES) | set(LINKS) <= names  # nothing stale


@pytest.mark.parametrize("page", PAGES)
def test_the_page_reads_thai(page, shop, checker, db):
    url = page_url(page, shop)
    response = thai_client(shop.admin).get(url, follow=True)
    assert response.status_code == 200, f"{page} ({url}) answered {response.status_code}"
    assert response["Content-Language"] == "th"
    offences = checker.offences(response.content.decode())
    if offences:
        print(report(page, url, offences))
    assert not offences, report(page, url, offences)


def admin_pages() -> list[str]:
    return ["admin:index"] + [
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model in admin.site._registry
    ]


@pytest.mark.parametrize("page", admin_pages())
def test_the_admin_names_things_in_thai(page, shop, db):
    """Django's admin is partly English in its Thai translation; what Samphan names
    there (models, plurals, fields, choices) must be Thai, and plurals not "ลูกค้าs"."""
    response = thai_client(shop.admin).get(reverse(page))
    assert response.status_code == 200
    wrong = [
        text
        for text in thai_text.visible_strings(response.content.decode())
        if thai_text.THAI_PLURAL_S.search(text)
    ]
    assert not wrong, f"{page}: {wrong}"


def test_the_checker_finds_what_is_not_thai():
    checker = thai_text.ThaiPageChecker(
        codes={"walk_in", "line"}, messages={"Select an option"}, data={"Somchai"}
    )
    html = """<html><head><title>ลูกค้า</title><script>var line = "2026-01-05";</script>
      <style>.week {}</style></head><body>
      <p>ช่องทาง walk_in · line · LINE · online</p><p>1 week, 2 days</p>
      <p>ใช้ได้ถึง 2027-01-05</p><p>2026-12-06T07:00:00+00:00</p>
      <select><option>Select an option</option></select>
      <input placeholder="Search" aria-label="ค้นหา"><button title="Close">×</button>
      <p>คุณ Somchai · somchai.j@example.com · https://shop.example/sale</p>
      <input type="submit" value="Save"><input type="hidden" value="secret"></body></html>"""
    found = {(offence.check, offence.found) for offence in checker.offences(html)}
    assert found == {
        ("raw code", "walk_in"),
        ("raw code", "line"),
        ("English", "online"),
        ("English", "week"),
        ("English", "days"),
        ("ISO date", "2027-01-05"),
        ("ISO date", "2026-12-06"),
        ("ISO time", "T07:00:00"),
        ("ISO time", "+00:00"),
        ("untranslated", "Select an option"),
        ("English", "Select"),
        ("English", "option"),
        ("English", "Search"),
        ("English", "Close"),
        ("English", "Save"),
    }
    assert thai_text.THAI_PLURAL_S.search("ลูกค้าs") and not thai_text.THAI_PLURAL_S.search("LINEs")


def samphan_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model.__module__.startswith("samphan.")]


def test_every_named_model_names_its_plural():
    """Django makes a plural by adding "s" ("ลูกค้าs"): a model with a name says its plural,
    and each model the admin lists has a name."""
    for model in samphan_models():
        options = model._meta.original_attrs
        if "verbose_name" in options or model in admin.site._registry:
            assert "verbose_name_plural" in options, model._meta.label
        with translation.override("th"):
            assert not thai_text.THAI_PLURAL_S.search(str(model._meta.verbose_name_plural))


def test_industries_read_as_names_in_english():
    with translation.override("en"):
        labels = [str(label) for label in Customer.Industry.labels]
    assert all(label[0].isupper() for label in labels), labels


def test_every_app_has_a_thai_name():
    """The admin heads each app's section with its name ("ACCOUNTS" on a Thai page)."""
    with translation.override("th"):
        for config in apps.get_app_configs():
            if config.name.startswith("samphan."):
                assert thai_text.THAI_LETTER.search(str(config.verbose_name)), config.name
