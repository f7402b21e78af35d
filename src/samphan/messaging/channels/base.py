"""The channels' senders: each hands one message to its provider and says how it went.

A sender never raises for what the provider answers: ``Outcome`` says whether the message
was accepted, may be tried again later (a busy server, a dropped connection, HTTP 429 or
5xx), or never will be (a bounced address, an invalid number). The outbox decides what to
do with that.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from samphan.messaging.models import Message


@dataclass(frozen=True)
class Outcome:
    kind: Literal["sent", "temporary", "permanent"]
    detail: str = ""
    provider_ref: str = ""
    delivered: bool = False  # the provider says it reached the recipient's side

    @classmethod
    def sent(cls, provider_ref: str = "", *, delivered: bool = False) -> "Outcome":
        return cls("sent", provider_ref=provider_ref, delivered=delivered)

    @classmethod
    def temporary(cls, detail: str) -> "Outcome":
        return cls("temporary", detail[:300])

    @classmethod
    def permanent(cls, detail: str) -> "Outcome":
        return cls("permanent", detail[:300])


class Sender(Protocol):
    def send(self, message: "Message") -> Outcome: ...

    def close(self) -> None: ...
