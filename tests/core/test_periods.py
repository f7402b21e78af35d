import datetime as dt

import pytest

from samphan.core.periods import Period, preset_period

D = dt.date


@pytest.mark.parametrize(
    ("name", "today", "since", "until"),
    [
        ("this_month", D(2026, 2, 14), D(2026, 2, 1), D(2026, 2, 28)),
        ("last_month", D(2026, 1, 14), D(2025, 12, 1), D(2025, 12, 31)),
        ("last_month", D(2024, 3, 31), D(2024, 2, 1), D(2024, 2, 29)),
        ("this_quarter", D(2026, 11, 5), D(2026, 10, 1), D(2026, 12, 31)),
        ("this_quarter", D(2026, 4, 1), D(2026, 4, 1), D(2026, 6, 30)),
        ("this_year", D(2026, 7, 1), D(2026, 1, 1), D(2026, 12, 31)),
        ("last_30", D(2026, 3, 10), D(2026, 2, 9), D(2026, 3, 10)),
        ("last_90", D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31)),
        ("nonsense", D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31)),
    ],
)
def test_presets(name, today, since, until):
    assert preset_period(name, today) == Period(since, until)


def test_a_period_is_whole_bangkok_days_in_utc():
    period = Period(D(2026, 1, 1), D(2026, 1, 31))
    assert period.start == dt.datetime(2025, 12, 31, 17, tzinfo=dt.UTC)
    assert period.end == dt.datetime(2026, 1, 31, 17, tzinfo=dt.UTC)
