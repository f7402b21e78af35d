"""The kill-and-resume tests share the outbox kill test's scratch database fixture."""

from tests.messaging.test_kill import database  # noqa: F401 - a fixture, found by name
