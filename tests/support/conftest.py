import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Service messages in English, so tests read them; pages keep each user's language."""
    with translation.override("en"):
        yield
