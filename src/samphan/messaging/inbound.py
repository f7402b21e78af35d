"""What customers send us on LINE and by SMS (other than STOP), told to the apps that listen:
support opens or continues a ticket with each. Messaging knows no higher app, so they
register here in their ``ready()``."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass(frozen=True)
class Inbound:
    channel: str  # "line" or "sms"
    address: str  # the LINE user id, the mobile number (E.164)
    text: str
    ref: str = ""  # the provider's id of the message ("line:…"), when it gives one
    at: dt.datetime = field(default_factory=timezone.now)


_handlers: list[Callable[[Inbound], object]] = []


def inbound_register(handler: Callable[[Inbound], object]) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def inbound_tell(message: Inbound) -> None:
    for handler in _handlers:
        handler(message)
