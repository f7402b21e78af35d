from tests.messaging.conftest import english  # noqa: F401 - messages in English here too
