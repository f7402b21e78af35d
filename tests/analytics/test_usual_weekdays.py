"""The usual weekdays the database keeps in each roll-up (``usual_weekdays``, what the
segment "usually comes on" reads through its index) equal the cadence panel's test in
Python, for any week; and they follow the counts when an order changes them."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from samphan.analytics.cadence import usual_weekdays
from samphan.analytics.models import CustomerActivity
from samphan.analytics.queries import usual_weekday_customer_ids
from tests.factories import CustomerFactory

weeks = st.lists(st.integers(0, 40), min_size=7, max_size=7)


def activity(counts: list[int]) -> CustomerActivity:
    """A customer's roll-up with these weekday counts, as the database stored it."""
    customer = CustomerFactory()
    CustomerActivity.objects.create(
        customer=customer,
        days=sum(counts),
        **{f"weekday_{day}": count for day, count in enumerate(counts)},
    )
    return CustomerActivity.objects.get(customer=customer)


def kept_bits(counts: list[int]) -> int:
    return activity(counts).usual_weekdays


class TestKeptEqualsThePanelsTest(TestCase):
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(weeks)
    def test_any_week(self, counts):
        days, _p_value = usual_weekdays(counts)
        assert kept_bits(counts) == sum(1 << day for day in days)

    def test_known_weeks(self):
        assert kept_bits([0] * 7) == 0  # no days: no division by zero either
        assert kept_bits([4, 0, 0, 0, 0, 0, 0]) == 0  # too few days
        assert kept_bits([5, 0, 0, 1, 0, 0, 0]) == 0b1  # Monday
        assert kept_bits([6, 0, 0, 0, 5, 0, 0]) == 0b10001  # Monday and Friday
        assert kept_bits([2, 1, 1, 1, 0, 0, 0]) == 0  # a weak lean is no habit
        assert kept_bits([0, 0, 0, 0, 0, 9, 1]) == 0b100000  # Saturday

    def test_an_update_of_the_counts_moves_the_bits(self):
        saturdays = activity([0, 0, 0, 0, 0, 6, 0])
        assert saturdays.usual_weekdays == 1 << 5
        CustomerActivity.objects.filter(pk=saturdays.pk).update(weekday_0=12, days=18)
        saturdays.refresh_from_db()
        assert saturdays.usual_weekdays == 1 << 0

    def test_the_segment_reads_any_pattern_with_a_chosen_day(self):
        saturday = activity([0, 0, 0, 0, 0, 9, 1]).customer_id
        monday_and_saturday = activity([6, 0, 0, 0, 0, 5, 0]).customer_id
        activity([2, 1, 1, 1, 0, 0, 0])

        def chosen(weekdays: list[int]) -> set[int]:
            return set(usual_weekday_customer_ids(weekdays).values_list("customer_id", flat=True))

        assert chosen([5]) == {saturday, monday_and_saturday}
        assert chosen([0, 6]) == {monday_and_saturday}
        assert chosen([1, 2, 3]) == set()
