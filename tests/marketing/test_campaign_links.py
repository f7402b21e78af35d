"""A campaign's tracked links lead only to the links written in its template at send time:
a customer's own value (a nickname that is a URL, typed on the public sign-up) is text in
their message, never a link we redirect to; an unknown link number is 404."""

import re

import pytest
from django.test import Client

from samphan.marketing.campaigns import campaign_save, campaign_schedule, campaigns_run
from samphan.marketing.models import Recipient, Segment
from samphan.messaging.models import Message
from tests.factories import ContactPointFactory, CustomerFactory
from tests.messaging.conftest import grant

pytestmark = pytest.mark.django_db
EVERYONE = {"match": "all", "rules": []}
TRACKED = re.compile(r"https://crm\.example(/t/c/[^\s]+)")


def sent_to(nickname: str, text_th: str, settings) -> tuple[Recipient, Message]:
    """A one-recipient campaign sent now: its recipient and their message."""
    settings.SAMPHAN_PUBLIC_URL = "https://crm.example"
    customer = CustomerFactory(nickname=nickname, member_number="M-0042")
    ContactPointFactory(customer=customer, kind="email", value="nok@example.com")
    grant(customer, "email")
    segment = Segment.objects.create(name="ทุกคน", rules=EVERYONE)
    campaign = campaign_save(
        actor=None,
        campaign=None,
        fields={"name": "โปรธันวา", "segment_id": segment.pk, "channel": "email",
                "holdout_percent": 0, "conversion_days": 14},
        variants=[{"share": 100, "subject_th": "โปรของคุณ{{ nickname }}", "text_th": text_th,
                   "subject_en": "", "text_en": ""}],
    )  # fmt: skip
    campaign_schedule(campaign=campaign)
    campaigns_run()
    recipient = Recipient.objects.get(campaign=campaign)
    return recipient, Message.objects.get(pk=recipient.message_id)


def test_a_nickname_that_is_a_url_is_no_tracked_link(settings):
    recipient, message = sent_to(
        "https://evil.example/login",
        "สวัสดีคุณ{{ nickname }} ลด 20% ที่ https://shop.example/sale",
        settings,
    )
    text = message.text
    # Every link number of this message: none leads to the nickname.
    token = TRACKED.findall(text)[0].split("/")[3]
    leads_to = [Client().get(f"/t/c/{token}/{index}/").get("Location") for index in range(4)]
    assert leads_to == ["https://shop.example/sale", None, None, None]
    # The nickname stays the customer's text; the one link written in the template is tracked.
    assert "สวัสดีคุณhttps://evil.example/login" in text
    paths = TRACKED.findall(text)
    assert len(paths) == 1
    response = Client().get(paths[0])
    assert response.status_code == 302 and response["Location"] == "https://shop.example/sale"
    # The link number after the template's links is unknown.
    for index in (1, 2):
        assert Client().get(f"/t/c/{token}/{index}/").status_code == 404
    recipient.refresh_from_db()
    assert recipient.links == ["https://shop.example/sale"]
    # A message queued before links were recorded: read from the template again, alike.
    Recipient.objects.filter(pk=recipient.pk).update(links=None)
    assert Client().get(paths[0])["Location"] == "https://shop.example/sale"
    assert Client().get(f"/t/c/{token}/1/").status_code == 404
    # The e-mail's HTML makes only the tracked link clickable.
    assert re.findall(r'href="([^"]+)"', message.html) == [f"https://crm.example{paths[0]}"]


def test_a_value_inside_a_template_link_is_url_quoted(settings):
    _recipient, message = sent_to(
        "x https://evil.example", "บัตรของคุณ https://shop.example/card/{{ member_number }}?n={{ nickname }}",
        settings,
    )  # fmt: skip
    [path] = TRACKED.findall(message.text)
    response = Client().get(path)
    assert (
        response["Location"] == "https://shop.example/card/M-0042?n=x%20https%3A%2F%2Fevil.example"
    )


def test_a_link_written_as_a_placeholder_alone_is_not_tracked(settings):
    _recipient, message = sent_to("https://evil.example", "ลิงก์ของคุณ: {{ nickname }}", settings)
    assert TRACKED.findall(message.text) == [] and "https://evil.example" in message.text
