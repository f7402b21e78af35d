"""Signed links in messages, for pages without login: one-click unsubscribe (per message,
so per recipient and channel) and the preference page (per customer). A link cannot be
made for someone else without the secret key; it reveals nothing but what it is for."""

from django.core import signing
from django.urls import reverse

from samphan.core.shop import shop_profile
from samphan.messaging.models import Message

_unsubscribe = signing.Signer(salt="samphan.messaging.unsubscribe")
_preferences = signing.Signer(salt="samphan.messaging.preferences")


def unsubscribe_url(message: Message) -> str:
    token = _unsubscribe.sign(str(message.key))
    return shop_profile().public_url + reverse("unsubscribe", args=[token])


def message_of(token: str) -> Message | None:
    try:
        key = _unsubscribe.unsign(token)
    except signing.BadSignature:
        return None
    return Message.objects.select_related("customer").filter(key=key).first()


def preferences_url(customer_id: int) -> str:
    token = _preferences.sign(str(customer_id))
    return shop_profile().public_url + reverse("message_preferences", args=[token])


def customer_id_of(token: str) -> int | None:
    try:
        return int(_preferences.unsign(token))
    except (signing.BadSignature, ValueError):
        return None
