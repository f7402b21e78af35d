"""Campaigns end to end against a real SMTP server on loopback: the recorded random split
with its hold-out group, consent at the draw and at hand-off, personalised Thai and
English messages with tracked links, opens and clicks, conversions within the window, the
A/B statistics against known values, resuming after a crash, and bad input refused."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from samphan.loyalty.services.rules import programme_save
from samphan.marketing import campaigns
from samphan.marketing.campaigns import (
    campaign_save,
    campaign_schedule,
    campaigns_run,
    sending,
    values_for,
)
from samphan.marketing.models import Campaign, Recipient, Segment
from samphan.marketing.results import campaign_results
from samphan.marketing.stats import sample_size, two_proportions
from samphan.messaging.models import Message
from samphan.messaging.outbox import Outbox, RateLimits
from samphan.sales import services as sales_services
from samphan.sales.services import LineInput
from tests.factories import ContactPointFactory, CustomerFactory, ProductFactory
from tests.messaging.conftest import grant
from tests.querycount import assert_queries

pytestmark = pytest.mark.django_db
EVERYONE = {"match": "all", "rules": []}


def test_two_proportions_against_known_values():
    found = two_proportions(200, 1000, 250, 1000)
    assert found is not None
    assert found.difference == pytest.approx(0.05)
    assert found.z == pytest.approx(2.6774, abs=1e-3)
    assert found.p_value == pytest.approx(0.00742, abs=2e-4)
    assert (found.low, found.high) == (
        pytest.approx(0.01346, abs=1e-4),
        pytest.approx(0.08654, abs=1e-4),
    )
    assert found.significant
    same = two_proportions(50, 1000, 52, 1000)
    assert same is not None and not same.significant
    assert two_proportions(0, 0, 1, 10) is None


def test_sample_size_against_known_values():
    assert sample_size(0.20, 0.05) == 1094  # 20% → 25%, α 5%, power 80%
    assert sample_size(0.05, 0.02) == 2213
    with pytest.raises(ValueError):
        sample_size(0.0, 0.02)


@pytest.fixture
def audience(db):
    """40 customers with an e-mail address and consent to marketing by e-mail, 5 with the
    address but no consent; half the consenting ones with a Latin name only."""
    reachable = []
    for number in range(40):
        if number % 2:
            customer = CustomerFactory(first_name="", last_name="", nickname="",
                                       first_name_en=f"Ann{number}", display_name=f"Ann{number}")  # fmt: skip
        else:
            customer = CustomerFactory(nickname=f"แอน{number}")
        ContactPointFactory(customer=customer, kind="email", value=f"c{number}@example.com")
        grant(customer, "email")
        reachable.append(customer)
    for number in range(5):
        customer = CustomerFactory(nickname=f"ไม่ยอม{number}")
        ContactPointFactory(customer=customer, kind="email", value=f"no{number}@example.com")
    return reachable


def make_campaign(user=None, **fields):
    segment = Segment.objects.create(name="ทุกคน", rules=EVERYONE)
    variants = [
        {"share": 50, "subject_th": "โปรของคุณ{{ nickname }}", "text_th": "สวัสดีคุณ{{ nickname }} ลด 20% ที่ https://shop.example/sale?c=1",
         "subject_en": "For you, {{ first_name }}", "text_en": "Hello {{ first_name }}: 20% off at https://shop.example/sale?c=1"},
        {"share": 50, "subject_th": "ของขวัญสำหรับคุณ{{ nickname }}", "text_th": "คุณ{{ nickname }} รับของขวัญที่ https://shop.example/gift",
         "subject_en": "A gift, {{ first_name }}", "text_en": "{{ first_name }}, a gift at https://shop.example/gift"},
    ]  # fmt: skip
    base = {"name": "โปรเดือนธันวา", "segment_id": segment.pk, "channel": "email",
            "holdout_percent": 20, "conversion_days": 14}  # fmt: skip
    return campaign_save(actor=user, campaign=None, fields={**base, **fields}, variants=variants)


def send_all() -> int:
    return Outbox(RateLimits({})).run()


def test_a_campaign_reaches_the_smtp_server_split_personalised_and_tracked(
    audience, smtp, settings
):
    settings.SAMPHAN_PUBLIC_URL = "https://crm.example"
    campaign = make_campaign()
    campaign_schedule(campaign=campaign)
    campaigns_run()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING and campaign.recipients_count == 45
    recipients = Recipient.objects.filter(campaign=campaign)
    held = recipients.filter(variant__isnull=True)
    assert held.count() == 9  # 20% of 45
    by_variant = {label: recipients.filter(variant__label=label).count() for label in "AB"}
    assert by_variant == {"A": 18, "B": 18}
    # The five without consent were drawn (they count in the results) but not sent to.
    skipped = recipients.exclude(skipped="")
    assert all("No consent to marketing by e-mail" in row.skipped for row in skipped)
    queued = Message.objects.filter(status="queued").count()
    assert queued == 36 - skipped.count()
    # The split is recorded, and the same seed draws it again the same way.
    variants = list(campaign.variants.all())
    ids = sorted(recipients.values_list("customer_id", flat=True))
    again = campaigns.split(ids, variants, 20, campaign.seed)
    assert {pk: (v.label if v else None) for pk, v in again} == {
        row.customer_id: (row.variant.label if row.variant else None)
        for row in recipients.select_related("variant")
    }
    assert send_all() == queued
    campaigns_run()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    assert len(smtp.messages) == queued
    by_address = {mail["To"]: mail for mail in smtp.messages}
    thai = next(r for r in recipients.select_related("customer", "variant")
                if r.variant and not r.skipped and r.customer.nickname.startswith("แอน"))  # fmt: skip
    mail = by_address[f"c{int(thai.customer.nickname[3:])}@example.com"]
    assert thai.customer.nickname in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert (
        f"สวัสดีคุณ{thai.customer.nickname}" in body or f"คุณ{thai.customer.nickname} รับของขวัญ" in body
    )
    assert "https://crm.example/t/c/" in body and "shop.example" not in body
    assert "/t/o/" in mail.get_body(("html",)).get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    latin = next(
        r
        for r in recipients.select_related("customer")
        if r.variant and r.customer.first_name_en.startswith("Ann")
    )
    latin_mail = by_address[f"c{int(latin.customer.first_name_en[3:])}@example.com"]
    assert latin.customer.first_name_en in latin_mail["Subject"]
    assert latin_mail["Subject"].startswith(("For you", "A gift"))

    # A click leads to the link the message held and counts as an opening too.
    link = body.split("https://crm.example", 1)[1].split()[0]
    response = Client().get(link)
    assert response.status_code == 302 and response["Location"].startswith("https://shop.example/")
    thai.refresh_from_db()
    assert thai.clicked_at and thai.opened_at
    pixel = Client().get(f"/t/o/{campaigns.tracking_token(latin.pk)}/")
    assert pixel.status_code == 200 and pixel["Content-Type"] == "image/gif"
    latin.refresh_from_db()
    assert latin.opened_at and not latin.clicked_at
    # A forged token or link number counts nothing and leads nowhere.
    token = campaigns.tracking_token(latin.pk)
    assert Client().get(f"/t/c/{token[:-2]}xx/0/").status_code == 404
    assert Client().get(f"/t/c/{token}/7/").status_code == 404
    assert Client().get(f"/t/o/{token[:-2]}xx/").status_code == 200
    assert Recipient.objects.exclude(clicked_at=None).count() == 1


def test_results_count_purchases_within_the_window(audience, smtp):
    campaign = make_campaign()
    campaign_schedule(campaign=campaign)
    campaigns_run()
    send_all()
    product = ProductFactory(list_price=Decimal("1070.00"))
    recipients = Recipient.objects.filter(campaign=campaign).select_related("variant")
    buyers = [r for r in recipients if r.variant and r.variant.label == "B"][:3]
    held_buyer = next(r for r in recipients if r.variant is None)
    late = next(r for r in recipients if r.variant and r.variant.label == "A")
    now = timezone.now()
    for recipient in [*buyers, held_buyer]:
        sales_services.order_record(actor=None, customer=recipient.customer, channel="store",
                                    lines=[LineInput(product.pk, 1)], ordered_at=now + dt.timedelta(hours=1))  # fmt: skip
    sales_services.order_record(actor=None, customer=late.customer, channel="store",
                                lines=[LineInput(product.pk, 1)], ordered_at=now + dt.timedelta(days=20))  # fmt: skip
    campaign.refresh_from_db()
    found = campaign_results(campaign)
    groups = {group.label: group for group in found.groups}
    assert groups["B"].converted == 3 and groups["B"].revenue == Decimal("3000.00")
    assert groups["A"].converted == 0  # the purchase 20 days on is outside the 14-day window
    assert groups[""].converted == 1 and groups[""].recipients == 9
    assert groups["A"].sent + groups["B"].sent == Message.objects.filter(status="sent").count()
    # E-mail is delivered when the SMTP server takes it.
    assert groups["A"].delivered == groups["A"].sent and groups["B"].delivered == groups["B"].sent
    assert groups["B"].against_first is not None
    assert groups["B"].against_first.difference == pytest.approx(3 / 18)
    # 18 a variant, far from the 2,213 needed for 2 points from 5%: no winner is called.
    assert found.needed_per_group == 2213
    assert "No winner can be called" in found.verdict and "2,213" in found.verdict


def test_a_verdict_waits_for_the_window_then_names_the_winner(audience, smtp):
    campaign = make_campaign(baseline_percent=Decimal("20"), effect_points=Decimal("50"))
    campaign_schedule(campaign=campaign)
    campaigns_run()
    found = campaign_results(Campaign.objects.get(pk=campaign.pk))
    assert math.isclose(found.needed_per_group, sample_size(0.2, 0.5))
    assert "Wait until" in found.verdict
    started = timezone.now() - dt.timedelta(days=15)
    Campaign.objects.filter(pk=campaign.pk).update(started_at=started)
    product = ProductFactory()
    for recipient in Recipient.objects.filter(campaign=campaign, variant__label="B"):
        sales_services.order_record(actor=None, customer=recipient.customer, channel="store",
                                    lines=[LineInput(product.pk, 1)],
                                    ordered_at=started + dt.timedelta(days=2))  # fmt: skip
    found = campaign_results(Campaign.objects.get(pk=campaign.pk))
    assert "Variant B converts best" in found.verdict


def test_sending_resumes_after_a_crash_without_sending_twice(audience, smtp):
    campaign = make_campaign(holdout_percent=0)
    campaign_schedule(campaign=campaign)
    sending.QUEUE_CHUNK, chunk = 7, sending.QUEUE_CHUNK
    try:
        campaigns.draw(campaign.pk)
        first = campaigns.queue_pending(campaign, limit=1)  # one chunk, then "the crash"
        assert 0 < first <= 7
        assert send_all() == first
        campaigns_run()  # the worker restarted: it goes on where it stopped
    finally:
        sending.QUEUE_CHUNK = chunk
    send_all()
    assert len(smtp.messages) == 40 == len({mail["To"] for mail in smtp.messages})
    assert (
        Recipient.objects.filter(campaign=campaign, message__isnull=True, skipped="").count() == 0
    )


def test_consent_withdrawn_after_the_draw_stops_the_message(audience, smtp):
    campaign = make_campaign(holdout_percent=0)
    campaign_schedule(campaign=campaign)
    campaigns_run()
    grant(audience[0], "email", status="withdrawn")
    send_all()
    assert "c0@example.com" not in {mail["To"] for mail in smtp.messages}
    assert len(smtp.messages) == 39


def test_a_cancelled_campaign_queues_nothing_more(audience, smtp):
    campaign = make_campaign()
    campaign_schedule(campaign=campaign)
    campaigns.draw(campaign.pk)
    campaigns.campaign_cancel(campaign=Campaign.objects.get(pk=campaign.pk))
    campaigns_run()
    assert not Message.objects.exists()


def test_a_scheduled_campaign_waits_for_its_time(audience):
    campaign = make_campaign()
    campaign_schedule(campaign=campaign, at=timezone.now() + dt.timedelta(hours=2))
    campaigns_run()
    assert not Recipient.objects.exists()
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=timezone.now())
    campaigns_run()
    assert Recipient.objects.count() == 45


@pytest.mark.parametrize(
    ("variants", "field"),
    [
        ([{"share": 50, "subject_th": "x", "text_th": ""}], "variants.0.text_th"),
        ([{"share": 50, "subject_th": "", "text_th": "สวัสดี"}], "variants.0.subject_th"),
        ([{"share": 0, "subject_th": "x", "text_th": "สวัสดี"}], "variants.0.share"),
        ([{"share": 50, "subject_th": "x", "text_th": "คูปอง {{ coupon }}"}], "variants.0.text_th"),
        (
            [{"share": 50, "subject_th": "x", "text_th": "ok", "text_en": "hi"}],
            "variants.0.subject_en",
        ),
        ([], "variants"),
        ([{"share": 10, "subject_th": "x", "text_th": "ok"}] * 6, "variants"),
    ],
)
def test_bad_campaigns_name_the_field_and_write_nothing(audience, variants, field):
    segment = Segment.objects.create(name="ทุกคน", rules=EVERYONE)
    fields = {"name": "x", "segment_id": segment.pk, "channel": "email"}
    with pytest.raises(ValidationError) as raised:
        campaign_save(actor=None, campaign=None, fields=fields, variants=variants)
    assert field in raised.value.message_dict
    assert not Campaign.objects.exists()


def test_a_started_campaign_cannot_change(audience):
    campaign = make_campaign()
    campaign_schedule(campaign=campaign)
    campaigns_run()
    with pytest.raises(ValidationError):
        campaign_save(
            actor=None,
            campaign=Campaign.objects.get(pk=campaign.pk),
            fields={"name": "y"},
            variants=[],
        )
    with pytest.raises(ValidationError):
        campaign_schedule(campaign=Campaign.objects.get(pk=campaign.pk))


def test_a_company_is_greeted_by_its_name(db):
    company = CustomerFactory(kind="company", first_name="", last_name="", nickname="", first_name_en="", last_name_en="",
                              company_name="บริษัท สยามกาแฟ จำกัด", display_name="บริษัท สยามกาแฟ จำกัด")  # fmt: skip
    values = values_for(company, with_product=False)
    assert values["nickname"] == values["first_name"] == "บริษัท สยามกาแฟ จำกัด"


def test_greeting_follows_the_etiquette_in_the_message_language(db):
    """{{ greeting }}: "คุณ" + nickname in Thai (never the formal title with it), title and
    last name in English, a company's name."""
    from samphan.marketing.campaigns import message_for
    from samphan.marketing.models import Variant

    variant = Variant(subject_th="", text_th="สวัสดี {{ greeting }}",
                      subject_en="", text_en="Hello {{ greeting }}")  # fmt: skip
    thai = CustomerFactory(title="นางสาว", first_name="อัญชลี", nickname="บี")
    english = CustomerFactory(title="Mr", first_name="", last_name="", nickname="",
                              first_name_en="John", last_name_en="Smith")  # fmt: skip
    company = CustomerFactory(kind="company", first_name="", last_name="", nickname="",
                              first_name_en="", last_name_en="", company_name="บริษัท สยาม จำกัด")  # fmt: skip
    said = [message_for(c, variant, values_for(c, with_product=False))[1]
            for c in (thai, english, company)]  # fmt: skip
    assert said == ["สวัสดี คุณบี", "Hello Mr Smith", "สวัสดี บริษัท สยาม จำกัด"]


def test_points_are_the_loyalty_balance_read_a_chunk_at_once(audience):
    rich = audience[0]
    programme_save(actor=None, fields={"tiers_by": "staff"})  # no Silver upgrade message
    product = ProductFactory(list_price=Decimal("26750.00"))  # ฿25,000 before VAT: 1,000 points
    sales_services.order_record(
        actor=None, customer=rich, channel="store", lines=[LineInput(product.pk, 1)]
    )
    segment = Segment.objects.create(name="ทุกคน", rules=EVERYONE)
    campaign = campaign_save(actor=None, campaign=None,
                             fields={"name": "แต้ม", "segment_id": segment.pk, "channel": "email", "holdout_percent": 0},
                             variants=[{"share": 100, "subject_th": "แต้มของคุณ", "text_th": "คุณมี {{ points }} แต้ม",
                                        "subject_en": "Your points", "text_en": "You have {{ points }} points"}])  # fmt: skip
    assert "คุณมี 1,000 แต้ม" in campaigns.preview_for(campaign, rich)[0]["text"]
    campaign_schedule(campaign=campaign)
    with assert_queries(31):  # 40 recipients: the balances in one query
        campaigns_run()
    texts = dict(Message.objects.values_list("customer_id", "text"))
    assert texts[rich.pk] == "คุณมี 1,000 แต้ม"
    assert texts[audience[2].pk] == "คุณมี 0 แต้ม" and texts[audience[1].pk] == "You have 0 points"
