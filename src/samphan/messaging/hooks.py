"""What providers call: LINE's webhook (follow, unfollow, messages), the SMS gateway's
inbound messages (STOP, else told to ``inbound``'s listeners) and receipts, and e-mail bounces forwarded by the mail server. Each
request is authenticated by a signature over its body, never by a session, so they are
exempt from CSRF."""

import base64
import hashlib
import hmac
import json
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from samphan.core.phones import normalise_phone
from samphan.core.shop import shop_profile
from samphan.messaging import services
from samphan.messaging.bounces import BounceError, bounce_record
from samphan.messaging.inbound import Inbound, inbound_tell
from samphan.messaging.models import Channel

logger = logging.getLogger(__name__)


def _refused(detail: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


@csrf_exempt
@require_POST
def line_webhook(request: HttpRequest) -> HttpResponse:
    """Follow, unfollow and message events. The signature is checked by the SDK; the
    events are read from the JSON as LINE documents them (type, source.userId, message),
    not through the SDK's models, which drop the source of an event whose other fields
    they do not know."""
    # Imported here: the LINE SDK (and the aiohttp it brings) takes seconds to load on a
    # busy machine, and no other page needs it.
    from linebot.v3.webhook import SignatureValidator

    secret = settings.SAMPHAN_LINE_CHANNEL_SECRET
    if not secret:
        return _refused("LINE is not configured.", 503)
    body = request.body.decode(errors="replace")
    if not SignatureValidator(secret).validate(body, request.headers.get("X-Line-Signature", "")):
        return _refused("X-Line-Signature does not match the body.", 403)
    try:
        events = json.loads(body)["events"]
    except (ValueError, KeyError, TypeError):
        events = None
    if not isinstance(events, list):
        return _refused("The body is not a LINE webhook.")
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("source"), dict):
            continue
        user_id = event["source"].get("userId")
        if not isinstance(user_id, str) or not user_id:
            continue
        if event.get("type") == "follow":
            services.line_followed(user_id[:64])
        elif event.get("type") == "unfollow":
            services.line_unfollowed(user_id[:64])
        elif event.get("type") == "message" and isinstance(event.get("message"), dict):
            services.line_message(user_id[:64], event["message"])
    return JsonResponse({})


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 over the URL and the sorted form fields."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def body_signature(body: bytes, secret: str) -> str:
    """X-Samphan-Signature (the generic SMS gateway, bounces): hex HMAC-SHA256 of the body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _gateway_request(request: HttpRequest, secret: str) -> tuple[bool, dict[str, Any] | None]:
    """Whether the gateway's signature matches, and what it posted: Twilio's form fields
    (signed with the whole URL, its query included), or the generic adapter's JSON object
    (None when the body is not one)."""
    if settings.SAMPHAN_SMS_ADAPTER == "twilio":
        params = {key: request.POST[key] for key in request.POST}
        url = shop_profile().public_url + request.get_full_path()
        expected = twilio_signature(url, params, secret)
        return hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", "")), params
    signed = hmac.compare_digest(
        body_signature(request.body, secret), request.headers.get("X-Samphan-Signature", "")
    )
    try:
        data = json.loads(request.body)
    except ValueError:
        data = None
    return signed, data if isinstance(data, dict) else None


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """An SMS a customer sent back; STOP (and its Thai words) unsubscribes the number."""
    secret = settings.SAMPHAN_SMS_SECRET
    if not secret:
        return _refused("Inbound SMS is not configured.", 503)
    signed, data = _gateway_request(request, secret)
    if not signed:
        return _refused("The signature does not match the body.", 403)
    twilio = settings.SAMPHAN_SMS_ADAPTER == "twilio"
    if twilio:
        sender, text = (data or {}).get("From", ""), (data or {}).get("Body", "")
    elif data is None or not isinstance(data.get("from"), str | int) or "text" not in data:
        return _refused('The body must be JSON with "from" and "text".')
    else:
        sender, text = str(data["from"]), str(data["text"])
    try:
        number = normalise_phone(sender)
    except ValidationError as error:
        return _refused(error.messages[0])
    stopped = services.is_stop(text)
    if stopped:
        services.sms_stop(number)
    elif str(text).strip():
        ref = (data or {}).get("MessageSid" if twilio else "id") or ""
        inbound_tell(
            Inbound(Channel.SMS, number, str(text)[:5000], f"sms:{ref}"[:300] if ref else "")
        )
    if settings.SAMPHAN_SMS_ADAPTER == "twilio":
        return HttpResponse("<Response/>", content_type="text/xml")
    return JsonResponse({"stopped": stopped})


@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    """A delivery receipt for a message, named by its key in the status URL the message
    went with: Twilio's MessageStatus (delivered, undelivered, failed …) and ErrorCode,
    or the generic adapter's JSON ``{"status", "error"}``."""
    secret = settings.SAMPHAN_SMS_SECRET
    if not secret:
        return _refused("SMS receipts are not configured.", 503)
    signed, data = _gateway_request(request, secret)
    if not signed:
        return _refused("The signature does not match the body.", 403)
    try:
        key = uuid.UUID(request.GET.get("key", ""))
    except ValueError:
        return _refused('The status URL must end in "?key=" and the message\'s key.')
    if settings.SAMPHAN_SMS_ADAPTER == "twilio":
        status, error = (data or {}).get("MessageStatus", ""), (data or {}).get("ErrorCode", "")
    elif data is None or not isinstance(data.get("status"), str):
        return _refused('The body must be JSON with "status".')
    else:
        status, error = data["status"], str(data.get("error") or "")
    if not services.sms_receipt(key, status.lower(), error[:200]):
        return _refused("No SMS has this key.", 404)
    return JsonResponse({})


@csrf_exempt
@require_POST
def email_bounce(request: HttpRequest) -> HttpResponse:
    """A bounce that came back as mail (a delivery status notification, RFC 3464), posted
    as the raw message by the mail server that received it (e.g. a pipe to ``curl``),
    signed with ``SAMPHAN_BOUNCE_SECRET``. What it changed; 400 when it is not a
    notification about one of our e-mails."""
    secret = settings.SAMPHAN_BOUNCE_SECRET
    if not secret:
        return _refused("Bounces are not configured.", 503)
    signature = request.headers.get("X-Samphan-Signature", "")
    if not hmac.compare_digest(body_signature(request.body, secret), signature):
        return _refused("The signature does not match the body.", 403)
    try:
        result = bounce_record(request.body)
    except BounceError as error:
        return _refused(str(error))
    return JsonResponse({"message": result.message_id, "to": result.to, "outcome": result.outcome})
