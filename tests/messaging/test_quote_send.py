"""A quotation sent for real: through the outbox to a real SMTP server on loopback (the PDF
attached) or LINE (a signed link to it), under the service consent rules; refusals named
beside the field, nothing written; "mark as sent" sends nothing and says so."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samphan.core.models import AuditEvent
from samphan.customers.models import ContactPoint, Interaction
from samphan.customers.timeline import timeline_page
from samphan.messaging.models import LineAccount, Message, MessageAttachment
from samphan.messaging.outbox import Outbox, RateLimits
from samphan.sales import services
from samphan.sales.models import Quote, QuoteDocument
from samphan.sales.quote_pdf import quote_pdf
from samphan.sales.services import LineInput
from tests.factories import ContactPointFactory, CustomerFactory, ProductFactory
from tests.messaging.conftest import grant

pytestmark = pytest.mark.django_db
LINE_USER = "U" + "b" * 32


@pytest.fixture
def quote(admin_user):
    ProductFactory(sku="POS", name="ระบบ POS", list_price=Decimal("10700.00"))
    customer = CustomerFactory(first_name="แอน", last_name="ใจดี")
    ContactPointFactory(customer=customer, kind=ContactPoint.Kind.EMAIL, value="Ann@Example.com")
    ContactPointFactory(customer=customer, kind=ContactPoint.Kind.EMAIL, value="ann@work.co.th")
    deal = services.deal_create(
        actor=admin_user, fields={"title": "POS", "customer": customer, "amount": "1"}
    )
    return services.quote_create(actor=admin_user, deal=deal, lines=[LineInput("POS", 2)])


def send(quote, actor, *, channel="email", to="ann@example.com", key="", pdf=None):
    return services.quote_send(
        actor=actor,
        quote=quote,
        pdf=pdf or quote_pdf(quote),
        channel=channel,
        to=to,
        key=key,
    )


def run() -> int:
    return Outbox(RateLimits({})).run()


def assert_nothing_written(quote):
    assert not Message.objects.exists() and not QuoteDocument.objects.exists()
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.DRAFT


def test_the_email_arrives_with_the_pdf_attached_and_the_timeline_says_so(quote, admin_user, smtp):
    send(quote, admin_user)
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT
    message = Message.objects.get()
    assert (message.purpose, message.to, message.status) == ("service", "ann@example.com", "queued")
    audit = AuditEvent.objects.filter(subject_type="sales.quote", changes__has_key="message").get()
    assert audit.changes["message"] == [None, message.pk]
    assert run() == 1
    (received,) = smtp.messages
    assert received["To"] == "ann@example.com"
    assert quote.number in received["Subject"]
    body = received.get_body(preferencelist=("plain",))
    assert quote.number in body.get_content() and "฿" in body.get_content()
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{quote.number}.pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF")
    assert pdf == bytes(QuoteDocument.objects.get(quote=quote).pdf)  # the PDF kept as sent
    entries, _older = timeline_page(admin_user, quote.customer)
    sent = [entry for entry in entries if entry.source == "message"]
    assert len(sent) == 1 and quote.number in sent[0].summary
    assert sent[0].channel == "e-mail" and sent[0].body.endswith("delivered")
    # No second, made-up record of an e-mail.
    assert not Interaction.objects.filter(customer=quote.customer).exists()


def test_the_same_press_twice_sends_once_and_a_thai_quote_is_written_in_thai(
    quote, admin_user, smtp
):
    quote.language = "th"
    quote.save()
    pdf = b"%PDF-1.7 test"
    send(quote, admin_user, key="press-1", pdf=pdf)
    send(quote, admin_user, key="press-1", pdf=pdf)
    assert Message.objects.count() == 1 and QuoteDocument.objects.count() == 1
    message = Message.objects.get()
    assert "ใบเสนอราคา" in message.subject and "เรียน คุณแอน ใจดี" in message.text
    send(quote, admin_user, key="press-2", pdf=pdf, to="ann@work.co.th")  # "send again"
    assert Message.objects.count() == 2


def test_withdrawn_service_consent_refuses_beside_the_address_and_writes_nothing(
    quote, admin_user, smtp
):
    grant(quote.customer, "email", purpose="service", status="withdrawn")
    with pytest.raises(ValidationError) as raised:
        send(quote, admin_user)
    assert "withdrawn" in raised.value.message_dict["to"][0]
    assert_nothing_written(quote)


def test_marketing_consent_is_not_needed_for_a_quotation(quote, admin_user, smtp):
    grant(quote.customer, "email", purpose="marketing", status="withdrawn")
    send(quote, admin_user)
    assert run() == 1 and len(smtp.messages) == 1


def test_consent_withdrawn_before_hand_off_blocks_it_and_the_timeline_says_not_sent(
    quote, admin_user, smtp
):
    send(quote, admin_user, pdf=b"%PDF-1.7 test")
    grant(quote.customer, "email", purpose="service", status="withdrawn")
    run()
    assert smtp.messages == []
    entries, _older = timeline_page(admin_user, quote.customer)
    (entry,) = [entry for entry in entries if entry.source == "message"]
    assert "not sent" in entry.body and "delivered" not in entry.body


@pytest.mark.parametrize(
    ("channel", "to", "field", "words"),
    [
        ("email", "someone@else.com", "to", "Choose one of the customer's"),
        ("email", "", "to", "Choose one of the customer's"),
        ("fax", "", "channel", "Choose e-mail or LINE"),
        ("line", "", "to", "LINE account is not linked"),
    ],
)
def test_bad_addresses_are_named_and_nothing_is_written(
    quote, admin_user, channel, to, field, words
):
    with pytest.raises(ValidationError) as raised:
        send(quote, admin_user, channel=channel, to=to, pdf=b"%PDF-1.7 test")
    assert words in raised.value.message_dict[field][0]
    assert_nothing_written(quote)


def test_no_email_address_is_said_beside_the_field_on_the_page(quote, admin_client):
    quote.customer.contact_points.all().delete()
    page = admin_client.get(f"/sales/quotes/{quote.pk}/").content.decode()
    assert "ลูกค้ารายนี้ยังไม่มีอีเมล" in page  # pages are in the user's language, Thai
    response = admin_client.post(
        f"/sales/quotes/{quote.pk}/send/", {"channel": "email", "to": "", "key": "k1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="field field-error"' in html and "กรุณาเพิ่มอีเมลที่หน้าลูกค้าก่อน" in html
    assert_nothing_written(quote)


def test_the_page_sends_by_email_and_marks_as_sent_separately(quote, admin_client, smtp):
    page = admin_client.get(f"/sales/quotes/{quote.pk}/").content.decode()
    assert '<option value="Ann@Example.com"' in page and "บันทึกว่าส่งแล้ว" in page
    response = admin_client.post(
        f"/sales/quotes/{quote.pk}/send/",
        {"channel": "email", "to": "Ann@Example.com", "key": "k1"},
    )
    assert response.status_code == 302 and Message.objects.count() == 1
    assert MessageAttachment.objects.get().filename == f"{quote.number}.pdf"
    # Marking as sent sends nothing, and the timeline says it was sent another way.
    admin_client.post(f"/sales/quotes/{quote.pk}/mark-sent/")
    assert Message.objects.count() == 1 and QuoteDocument.objects.count() == 2
    note = Interaction.objects.get(customer=quote.customer)
    assert note.kind == Interaction.Kind.NOTE and "บันทึกว่าส่งใบเสนอราคา" in note.summary
    assert "ส่งด้วยวิธีอื่นนอกระบบ" in note.body


def test_line_gets_a_signed_link_to_the_pdf_as_sent(quote, admin_user, client, line_api):
    LineAccount.objects.create(user_id=LINE_USER, customer=quote.customer)
    send(quote, admin_user, channel="line", to="ignored", pdf=b"%PDF-1.7 kept")
    message = Message.objects.get()
    assert message.to == LINE_USER and not MessageAttachment.objects.exists()
    link = next(word for word in message.text.split() if "/p/quote/" in word)
    path = link.split("://", 1)[1].partition("/")[2]
    response = client.get("/" + path)
    assert response.status_code == 200 and response.content == b"%PDF-1.7 kept"
    assert response["Content-Type"] == "application/pdf"
    assert client.get("/" + path[:-3] + "xyz/").status_code == 404  # tampered
    assert run() == 1
    (request,) = line_api.requests
    assert link in request.json()["messages"][0]["text"]


def test_the_api_sends_and_marks_as_sent_and_names_the_bad_field(quote, api, smtp):
    def post(path, body=None):
        return api.post(path, data=json.dumps(body or {}), content_type="application/json")

    url = f"/api/v1/quotes/{quote.pk}"
    missing = post(f"{url}/send")
    assert missing.status_code == 422 and "channel" in missing.content.decode()
    bad = post(f"{url}/send", {"channel": "email", "to": "x@y.z"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "to"]
    assert_nothing_written(quote)
    body = {"channel": "email", "to": "ann@work.co.th", "idempotency_key": "pos-1"}
    assert post(f"{url}/send", body).json()["status"] == "sent"
    assert post(f"{url}/send", body).status_code == 200
    assert Message.objects.count() == 1
    assert post(f"{url}/mark-sent").json()["status"] == "sent"
    assert Message.objects.count() == 1
