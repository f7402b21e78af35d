"""What providers call: LINE's webhook (follow, unfollow) and the SMS gateway's inbound
messages (STOP). Each request is authenticated by the provider's signature over its body,
never by a session, so they are exempt from CSRF."""

import base64
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from linebot.v3.webhook import SignatureValidator

from samphan.core.phones import normalise_phone
from samphan.messaging import services

logger = logging.getLogger(__name__)


def _refused(detail: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


@csrf_exempt
@require_POST
def line_webhook(request: HttpRequest) -> HttpResponse:
    """Follow and unfollow events. The signature is checked by the SDK; the events are
    read from the JSON as LINE documents them (type and source.userId), not through the
    SDK's models, which drop the source of an event whose other fields they do not know."""
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
    return JsonResponse({})


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 over the URL and the sorted form fields."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def json_signature(body: bytes, secret: str) -> str:
    """The generic gateway's X-Samphan-Signature: hex HMAC-SHA256 of the body."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """An SMS a customer sent back; STOP (and its Thai words) unsubscribes the number."""
    secret = settings.SAMPHAN_SMS_SECRET
    if not secret:
        return _refused("Inbound SMS is not configured.", 503)
    if settings.SAMPHAN_SMS_ADAPTER == "twilio":
        params = {key: request.POST[key] for key in request.POST}
        url = settings.SAMPHAN_PUBLIC_URL + request.path
        expected = twilio_signature(url, params, secret)
        given = request.headers.get("X-Twilio-Signature", "")
        sender, text = params.get("From", ""), params.get("Body", "")
    else:
        expected = json_signature(request.body, secret)
        given = request.headers.get("X-Samphan-Signature", "")
        try:
            data = json.loads(request.body)
            sender, text = str(data["from"]), str(data["text"])
        except (ValueError, KeyError, TypeError):
            if hmac.compare_digest(expected, given):
                return _refused('The body must be JSON with "from" and "text".')
            sender = text = ""
    if not hmac.compare_digest(expected, given):
        return _refused("The signature does not match the body.", 403)
    try:
        number = normalise_phone(sender)
    except ValidationError as error:
        return _refused(error.messages[0])
    stopped = services.is_stop(text)
    if stopped:
        services.sms_stop(number)
    if settings.SAMPHAN_SMS_ADAPTER == "twilio":
        return HttpResponse("<Response/>", content_type="text/xml")
    return JsonResponse({"stopped": stopped})
