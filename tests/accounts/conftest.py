from collections.abc import Iterator
from typing import Any

import pytest

from tests.messaging.conftest import smtp_mailers
from tests.messaging.servers import SmtpInbox


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpInbox]:
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    with SmtpInbox() as inbox:
        settings.MAILERS = smtp_mailers(inbox.port)
        settings.DEFAULT_FROM_EMAIL = "ร้านสัมพันธ์ <shop@samphan.test>"
        yield inbox


def link_in(message: Any) -> str:
    """The one-time link of an invitation or reset e-mail, as a path."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    url = next(word for word in body.split() if "/password/reset/" in word)
    return url[url.index("/password/reset/") :]
