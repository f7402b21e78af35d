"""The outbox's rate limits are shared through the database: two senders (two worker
processes, each with its own ``RateLimits``) together keep to the configured rate, not
twice it. tests/multiprocess/test_one_database.py proves it with real worker processes."""

import time

import pytest

from samphan.messaging.models import SendPace
from samphan.messaging.outbox import RateLimits

pytestmark = pytest.mark.django_db


def test_two_senders_share_one_rate():
    first, second = RateLimits({"email": 20}), RateLimits({"email": 20})  # one every 50 ms
    started = time.monotonic()
    for _ in range(5):  # ten hand-offs, alternately by each sender
        first.wait("email")
        second.wait("email")
    elapsed = time.monotonic() - started
    # Nine intervals after the first slot: counted apart, each would wait only four (0.2 s).
    assert elapsed >= 0.44, f"10 hand-offs at 20/s across two senders took {elapsed:.3f} s"
    assert SendPace.objects.filter(channel="email").count() == 1


def test_an_idle_channel_saves_no_burst():
    limits = RateLimits({"sms": 10})
    limits.wait("sms")
    time.sleep(0.3)  # idle for three intervals: they are not owed afterwards
    started = time.monotonic()
    limits.wait("sms")  # at once
    limits.wait("sms")  # one interval later
    limits.wait("sms")
    elapsed = time.monotonic() - started
    assert 0.18 <= elapsed < 0.3, elapsed


def test_no_limit_touches_no_row():
    RateLimits({"email": 0}).wait("email")
    RateLimits({}).wait("line")
    assert not SendPace.objects.exists()
