"""Pages without login (web-to-lead, membership sign-up): who sent a form, kept only as a
keyed hash, to limit how often one address may use it."""

import hashlib

from django.conf import settings
from django.http import HttpRequest


def sender_hash(sender: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{sender}".encode()).hexdigest()


def sender_of(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")
