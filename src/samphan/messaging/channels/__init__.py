"""The channels' senders: each hands one message to its provider and says how it went.

A sender never raises for what the provider answers: ``Outcome`` says whether the message
was accepted, may be tried again later (a busy server, a dropped connection, HTTP 429 or
5xx), or never will be (a bounced address, an invalid number). The outbox decides what to
do with that.
"""

from collections.abc import Callable

from samphan.messaging.channels.base import Outcome, Sender

__all__ = ["Outcome", "Sender", "sender_for"]


def sender_for(channel: str) -> Sender:
    # Imported on first use: the LINE SDK is heavy, and a web process that sends nothing
    # should not load it (tests/test_imports.py).
    from samphan.messaging.channels import email, line, sms

    senders: dict[str, Callable[[], Sender]] = {
        "email": email.EmailSender,
        "sms": sms.sms_sender,
        "line": line.LineSender,
    }
    return senders[channel]()
