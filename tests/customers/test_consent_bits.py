"""Each customer's consents in force (``consent_bits``, what segments test) as kept by
``consent_record`` equal what a rebuild from the records gives, after any sequence of
grants and withdrawals, back-dated ones included."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from samphan.customers.models import (
    CONSENT_BIT_POSITIONS,
    ConsentRecord,
    Customer,
    consent_bit,
)
from samphan.customers.services import consent_record, consents_rebuild
from tests.factories import CustomerFactory

NOW = timezone.now()

steps = st.lists(
    st.tuples(
        st.integers(0, 2),  # who
        st.sampled_from(["email", "sms", "line"]),
        st.sampled_from(ConsentRecord.Purpose.values),
        st.sampled_from(ConsentRecord.Status.values),
        st.integers(-5, 5),  # days from now: back-dated records come before later ones
    ),
    min_size=1,
    max_size=20,
)


def bits() -> list[int | None]:
    return list(Customer.objects.order_by("id").values_list("consent_bits", flat=True))


class TestKeptEqualsRebuilt(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps)
    def test_any_sequence(self, sequence):
        customers = [CustomerFactory() for _ in range(3)]
        for who, channel, purpose, status, days in sequence:
            consent_record(actor=None, customer=customers[who], channel=channel,
                           purpose=purpose, status=status, at=NOW + dt.timedelta(days=days))  # fmt: skip
        kept = bits()
        consents_rebuild()
        assert bits() == kept


def test_the_latest_record_is_in_force_whatever_the_order_written(db):
    ann = CustomerFactory()
    consent_record(actor=None, customer=ann, channel="email", status="granted", at=NOW)
    consent_record(actor=None, customer=ann, channel="sms", purpose="service", status="granted")
    ann.refresh_from_db()
    assert ann.consent_bits == consent_bit("email", "marketing") | consent_bit("sms", "service")
    # An older withdrawal written later changes nothing; a newer one withdraws.
    consent_record(actor=None, customer=ann, channel="email", status="withdrawn",
                   at=NOW - dt.timedelta(days=1))  # fmt: skip
    ann.refresh_from_db()
    assert ann.consent_bits & consent_bit("email", "marketing")
    consent_record(actor=None, customer=ann, channel="email", status="withdrawn",
                   at=NOW + dt.timedelta(seconds=1))  # fmt: skip
    ann.refresh_from_db()
    assert ann.consent_bits == consent_bit("sms", "service")


# The positions customers' rows hold since the bits were added (2026-12), which were then
# computed from the order of the choices as they stood: channel index × 2 + purpose index.
RECORDED_POSITIONS = {
    ("email", "marketing"): 0,
    ("email", "service"): 1,
    ("sms", "marketing"): 2,
    ("sms", "service"): 3,
    ("line", "marketing"): 4,
    ("line", "service"): 5,
    ("phone", "marketing"): 6,
    ("phone", "service"): 7,
    ("post", "marketing"): 8,
    ("post", "service"): 9,
}


def test_the_recorded_positions_are_the_ones_once_computed_from_the_choices():
    channels, purposes = ["email", "sms", "line", "phone", "post"], ["marketing", "service"]
    computed = {
        (channel, purpose): channels.index(channel) * len(purposes) + purposes.index(purpose)
        for channel in channels
        for purpose in purposes
    }
    assert computed == RECORDED_POSITIONS


def test_no_recorded_position_moves():
    # Stored bits would then mean another consent: add new pairs, never renumber.
    for pair, position in RECORDED_POSITIONS.items():
        assert CONSENT_BIT_POSITIONS.get(pair) == position, pair


def test_every_channel_and_purpose_has_a_position_of_its_own():
    pairs = {(c, p) for c in ConsentRecord.Channel.values for p in ConsentRecord.Purpose.values}
    assert set(CONSENT_BIT_POSITIONS) == pairs  # a new choice needs its pairs' positions
    positions = list(CONSENT_BIT_POSITIONS.values())
    assert len(set(positions)) == len(positions)
    assert all(0 <= position < 31 for position in positions)  # fits PostgreSQL's integer
    assert len({consent_bit(c, p) for c, p in pairs}) == len(pairs)


def test_a_choice_without_a_position_has_no_bit():
    # Not a bit derived from its place among the choices, which would move the others'.
    with pytest.raises(KeyError):
        consent_bit("whatsapp", "marketing")


def test_the_command_rebuilds(db, capsys):
    ann, bob = CustomerFactory(), CustomerFactory()
    ConsentRecord.objects.create(customer=ann, channel="line", purpose="marketing",
                                 status="granted", at=NOW, source="import")  # fmt: skip
    Customer.objects.filter(pk=bob.pk).update(consent_bits=1)  # wrong: no record says so
    call_command("consents_rebuild")
    assert "2 customers corrected" in capsys.readouterr().out
    call_command("consents_rebuild")  # right now: nothing to write
    assert "0 customers corrected" in capsys.readouterr().out
    assert bits() == [consent_bit("line", "marketing"), None]
