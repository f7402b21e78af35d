from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from samphan.customers.models import ContactPoint, Customer
from samphan.customers.services import consent_record
from samphan.messaging.models import LineAccount
from tests.factories import ContactPointFactory, CustomerFactory
from tests.messaging.servers import HttpRecorder, SmtpInbox


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in English, so tests read them; pages keep each user's language."""
    with translation.override("en"):
        yield


def smtp_mailers(port: int) -> dict[str, Any]:
    backend = "django.core.mail.backends.smtp.EmailBackend"
    return {"default": {"BACKEND": backend, "OPTIONS": {"host": "127.0.0.1", "port": port}}}


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpInbox]:
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    with SmtpInbox() as inbox:
        settings.MAILERS = smtp_mailers(inbox.port)
        settings.DEFAULT_FROM_EMAIL = "ร้านสัมพันธ์ <shop@samphan.test>"
        yield inbox


@pytest.fixture
def sms_gateway(settings: Any) -> Iterator[HttpRecorder]:
    with HttpRecorder() as server:
        settings.SAMPHAN_SMS_ADAPTER = "json"
        settings.SAMPHAN_SMS_URL = server.url + "/sms"
        settings.SAMPHAN_SMS_KEY = "gateway-token"
        settings.SAMPHAN_SMS_SECRET = "inbound-secret"
        yield server


@pytest.fixture
def line_api(settings: Any) -> Iterator[HttpRecorder]:
    with HttpRecorder(lambda request: (200, {"sentMessages": [{"id": "1"}]})) as server:
        settings.SAMPHAN_LINE_API_URL = server.url
        settings.SAMPHAN_LINE_ACCESS_TOKEN = "line-token"
        settings.SAMPHAN_LINE_CHANNEL_SECRET = "line-secret"
        yield server


def grant(
    customer: Customer, channel: str, purpose: str = "marketing", status: str = "granted"
) -> None:
    consent_record(actor=None, customer=customer, channel=channel, purpose=purpose, status=status)


@pytest.fixture
def reachable(db: Any) -> Customer:
    """A customer with an e-mail, a mobile and a linked LINE account, consenting to
    marketing on each."""
    customer = CustomerFactory()
    ContactPointFactory(customer=customer, kind=ContactPoint.Kind.EMAIL, value="Ann@Example.com")
    ContactPointFactory(customer=customer, kind=ContactPoint.Kind.MOBILE, value="+66812345678")
    LineAccount.objects.create(user_id="U" + "a" * 32, customer=customer)
    for channel in ("email", "sms", "line"):
        grant(customer, channel)
    return customer
