import datetime as dt

import pytest
from django.utils import translation

from samphan.core.durations import format_duration, format_since, format_working_minutes

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("value", "thai", "english"),
    [
        (9 * DAY, "1 สัปดาห์ 2 วัน", "1 week, 2 days"),
        (3 * DAY + 4 * HOUR, "3 วัน 4 ชั่วโมง", "3 days, 4 hours"),
        (DAY + 22 * HOUR, "1 วัน 22 ชั่วโมง", "1 day, 22 hours"),
        (14 * DAY, "2 สัปดาห์", "2 weeks"),
        (45 * DAY, "1 เดือน 2 สัปดาห์", "1 month, 2 weeks"),
        (400 * DAY, "1 ปี 1 เดือน", "1 year, 1 month"),
        (2 * HOUR + dt.timedelta(minutes=5), "2 ชั่วโมง 5 นาที", "2 hours, 5 minutes"),
        (dt.timedelta(minutes=1), "1 นาที", "1 minute"),
        (dt.timedelta(seconds=59), "ไม่ถึงนาที", "less than a minute"),
        (-DAY, "ไม่ถึงนาที", "less than a minute"),
    ],
)
def test_a_duration_reads_in_each_language(value, thai, english):
    with translation.override("th"):
        assert format_duration(value) == thai
    with translation.override("en"):
        assert format_duration(value) == english


def test_only_adjacent_units_are_shown():
    """A month and four hours is a month: the hours are not the next unit down."""
    with translation.override("th"):
        assert format_duration(30 * DAY + 4 * HOUR) == "1 เดือน"


def test_since_counts_to_now():
    now = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)
    with translation.override("th"):
        assert format_since(now - 9 * DAY, now=now) == "1 สัปดาห์ 2 วัน"
        assert format_since(None) == ""


@pytest.mark.parametrize(
    ("minutes", "thai", "english"),
    [
        (30, "30 นาที", "30 minutes"),
        (240, "4 ชั่วโมง", "4 hours"),
        (90, "1 ชั่วโมง 30 นาที", "1 hour, 30 minutes"),
        (1620, "27 ชั่วโมง", "27 hours"),  # three working days of nine hours: never "days"
        (0, "0 นาที", "0 minutes"),
    ],
)
def test_working_minutes_read_as_hours_and_minutes(minutes, thai, english):
    with translation.override("th"):
        assert format_working_minutes(minutes) == thai
    with translation.override("en"):
        assert format_working_minutes(minutes) == english
