"""Restriction and objection (PDPA ss.32, 34): while a customer's processing is restricted
they are in no segment, campaign audience, marketing message or analysis export; service
messages (a receipt, an appointment) still go. Lifted, they are back."""

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from samphan.core.models import AuditEvent
from samphan.customers import services as customer_services
from samphan.marketing.campaigns import campaign_save, campaign_schedule, campaigns_run
from samphan.marketing.models import Recipient, Segment
from samphan.messaging.models import Message
from samphan.messaging.outbox import Outbox, RateLimits, message_queue
from tests.factories import ContactPointFactory, CustomerFactory
from tests.messaging.conftest import grant, smtp  # noqa: F401 - the SMTP fixture

pytestmark = pytest.mark.django_db
EVERYONE = {"match": "all", "rules": []}


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def pair(db: Any) -> tuple[Any, Any]:
    kept = CustomerFactory(first_name="แอน", display_name="แอน ใจดี")
    restricted = CustomerFactory(first_name="เบน", display_name="เบน ใจดี")
    for number, customer in enumerate((kept, restricted)):
        ContactPointFactory(customer=customer, kind="email", value=f"c{number}@example.com")
        grant(customer, "email")
    return kept, restricted


def restrict(customer: Any) -> None:
    customer_services.customer_restrict(actor=None, customer=customer, reason="คัดค้าน")


def segment_names(client: Client, segment: Segment) -> tuple[set[str], str]:
    page = client.get(f"/api/v1/segments/{segment.pk}/customers").json()
    export = b"".join(client.get(f"/segments/{segment.pk}/export/").streaming_content)  # type: ignore[attr-defined]
    return {row["display_name"] for row in page["items"]}, export.decode()


def test_a_restricted_customer_is_in_no_segment_result_or_export(pair, admin_user, admin_client):
    _kept, restricted = pair
    segment = Segment.objects.create(name="ทุกคน", rules=EVERYONE)
    static = Segment.objects.create(name="รายชื่อ", kind=Segment.Kind.STATIC)
    static.members.create(customer=restricted)
    api = admin_client
    restrict(restricted)
    names, export = segment_names(api, segment)
    assert names == {"แอน ใจดี"}
    assert "เบน" not in export and "แอน ใจดี" in export
    assert segment_names(api, static)[0] == set()
    assert api.get(f"/api/v1/segments/{segment.pk}/count").json()["count"] == 1
    page = admin_client.get(f"/segments/{segment.pk}/")
    assert "เบน ใจดี" not in page.content.decode()
    # A preview of rules (the builder) leaves them out too.
    preview = api.post(
        "/api/v1/segments/preview", {"rules": EVERYONE}, content_type="application/json"
    )
    assert preview.json()["count"] == 1

    customer_services.customer_restriction_lift(actor=admin_user, customer=restricted)
    names, export = segment_names(api, segment)
    assert names == {"แอน ใจดี", "เบน ใจดี"} and "เบน ใจดี" in export
    assert segment_names(api, static)[0] == {"เบน ใจดี"}
    changes = list(
        AuditEvent.objects.filter(customer_id=restricted.pk).values_list("changes", flat=True)
    )
    assert any("processing_restricted_at" in change for change in changes)
    assert changes[0]["processing_restricted_reason"] == ["คัดค้าน", None]


def make_campaign() -> Any:
    segment = Segment.objects.create(name=f"ทุกคน {Segment.objects.count()}", rules=EVERYONE)
    variants = [{"share": 100, "subject_th": "โปร", "text_th": "ลด 20%", "subject_en": "Sale",
                 "text_en": "20% off"}]  # fmt: skip
    fields = {"name": "โปร", "segment_id": segment.pk, "channel": "email",
              "holdout_percent": 0, "conversion_days": 14}  # fmt: skip
    return campaign_save(actor=None, campaign=None, fields=fields, variants=variants)


def test_a_restricted_customer_is_not_drawn_into_a_campaign_nor_sent_one(pair, smtp):  # noqa: F811
    kept, restricted = pair
    restrict(restricted)
    campaign = make_campaign()
    campaign_schedule(campaign=campaign)
    campaigns_run()
    assert set(
        Recipient.objects.filter(campaign=campaign).values_list("customer_id", flat=True)
    ) == {kept.pk}
    Outbox(RateLimits({})).run()
    assert {mail["To"] for mail in smtp.messages} == {"c0@example.com"}

    # Lifted: the next campaign reaches them again.
    customer_services.customer_restriction_lift(actor=None, customer=restricted)
    again = make_campaign()
    campaign_schedule(campaign=again)
    campaigns_run()
    assert Recipient.objects.filter(campaign=again).count() == 2


def test_a_restriction_set_after_queueing_blocks_marketing_but_not_service(pair, smtp):  # noqa: F811
    _kept, restricted = pair
    marketing = message_queue(customer=restricted, channel="email", purpose="marketing",
                              to="c1@example.com", text="โปร", subject="โปร",
                              idempotency_key="m1")  # fmt: skip
    receipt = message_queue(customer=restricted, channel="email", purpose="service",
                            to="c1@example.com", text="ใบเสร็จ", subject="ใบเสร็จ",
                            idempotency_key="s1")  # fmt: skip
    restrict(restricted)
    Outbox(RateLimits({})).run()
    marketing.refresh_from_db()
    receipt.refresh_from_db()
    assert marketing.status == Message.Status.BLOCKED
    assert "restricted" in marketing.error
    assert receipt.status == Message.Status.SENT
    assert len(smtp.messages) == 1


def test_restriction_needs_a_reason(pair):
    _kept, restricted = pair
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        customer_services.customer_restrict(actor=None, customer=restricted, reason="  ")
    assert "reason" in error.value.message_dict
    restricted.refresh_from_db()
    assert restricted.processing_restricted_at is None
