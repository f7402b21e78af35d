"""SMS through an HTTP gateway. Two adapters: ``json``, a generic JSON POST
(``{"to", "text", "sender", "reference", "status_url"}`` with a bearer token) that most
Thai gateways can be fronted with, and ``twilio``, Twilio's Messages API (form fields To,
From, Body, StatusCallback; HTTP basic auth with the account SID and auth token). Every
request carries the message's key as ``Idempotency-Key``; the gateway posts the delivery
receipt to the status URL (``hooks.sms_status``), which names the message by that key.

Length: a message in the GSM 7-bit alphabet takes 160 characters in one SMS, 153 a part
when split; anything else (Thai) is sent as UCS-2, 70 characters, 67 a part.
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from samphan.core.shop import shop_profile
from samphan.messaging.channels.base import Outcome
from samphan.messaging.models import Message

# The GSM 03.38 default alphabet; the characters after "\x1b" take two septets.
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = "^{}\\[~]|€\f"
TIMEOUT = 10  # seconds; within the outbox lease's last quarter


@dataclass(frozen=True)
class Length:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets, or UTF-16 code units
    segments: int


def sms_length(text: str) -> Length:
    if all(char in GSM_BASIC or char in GSM_EXTENDED for char in text):
        units = sum(2 if char in GSM_EXTENDED else 1 for char in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else -(-units // part)
    return Length(encoding, units, segments)


class HttpSmsSender:
    """Posts each message to the gateway; the response's status decides the outcome."""

    def close(self) -> None:
        """Nothing held open: one request a message."""

    def send(self, message: Message) -> Outcome:
        if not settings.SAMPHAN_SMS_URL:
            return Outcome.temporary("SMS gateway not configured (SAMPHAN_SMS_URL)")
        url, body, headers = self.request(message)
        headers["Idempotency-Key"] = str(message.key)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - the operator's URL
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                answer = response.read()
        except urllib.error.HTTPError as error:
            detail = f"HTTP {error.code} {error.read()[:200].decode(errors='replace')}"
            if error.code == 429 or error.code >= 500:
                return Outcome.temporary(detail)
            return Outcome.permanent(detail)
        except (urllib.error.URLError, OSError) as error:
            return Outcome.temporary(f"SMS gateway: {error}")
        return Outcome.sent(self.reference(answer))

    def request(self, message: Message) -> tuple[str, bytes, dict[str, str]]:
        raise NotImplementedError

    @staticmethod
    def reference(answer: bytes) -> str:
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            return ""
        return str(data.get("id") or data.get("sid") or "")[:200] if isinstance(data, dict) else ""


def status_url(message: Message) -> str:
    """Where the gateway posts this message's delivery receipt."""
    return f"{shop_profile().public_url}{reverse('sms_status')}?key={message.key}"


class JsonSmsSender(HttpSmsSender):
    def request(self, message: Message) -> tuple[str, bytes, dict[str, str]]:
        body = {
            "to": message.to,
            "text": message.text,
            "sender": settings.SAMPHAN_SMS_SENDER,
            "reference": str(message.key),
            "status_url": status_url(message),
        }
        headers = {"Content-Type": "application/json"}
        if settings.SAMPHAN_SMS_KEY:
            headers["Authorization"] = f"Bearer {settings.SAMPHAN_SMS_KEY}"
        return settings.SAMPHAN_SMS_URL, json.dumps(body).encode(), headers


class TwilioSmsSender(HttpSmsSender):
    def request(self, message: Message) -> tuple[str, bytes, dict[str, str]]:
        sid = settings.SAMPHAN_SMS_KEY
        url = f"{settings.SAMPHAN_SMS_URL.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        form = {
            "To": message.to,
            "From": settings.SAMPHAN_SMS_SENDER,
            "Body": message.text,
            "StatusCallback": status_url(message),
        }
        login = base64.b64encode(f"{sid}:{settings.SAMPHAN_SMS_SECRET}".encode()).decode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {login}",
        }
        return url, urllib.parse.urlencode(form).encode(), headers


ADAPTERS: dict[str, type[HttpSmsSender]] = {"json": JsonSmsSender, "twilio": TwilioSmsSender}


def sms_sender() -> HttpSmsSender:
    return ADAPTERS.get(settings.SAMPHAN_SMS_ADAPTER, JsonSmsSender)()
