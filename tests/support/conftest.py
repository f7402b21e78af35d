import pytest
from django.utils import translation

# The messaging tests' real servers on loopback (SMTP, the SMS gateway, LINE's API) and
# their customer reachable on every channel.
from tests.messaging.conftest import line_api, reachable, sms_gateway, smtp  # noqa: F401


@pytest.fixture(autouse=True)
def english():
    """Service messages in English, so tests read them; pages keep each user's language."""
    with translation.override("en"):
        yield
