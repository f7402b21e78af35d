"""Working time on Thai time, checked against due times worked out by hand on a calendar
of April 2026: Songkran is Monday 13 to Wednesday 15 April (the ``holidays`` package's
Thailand calendar, which also has Chakri Day on Monday 6 April), weekends are closed, and
the team works 09:00-17:00 (eight hours a day)."""

import datetime as dt

import holidays
import pytest

from samphan.support.hours import (
    BANGKOK,
    NeverOpenError,
    Week,
    add_working_minutes,
    thai_public_holidays,
    working_minutes_between,
)

NINE, FIVE = dt.time(9), dt.time(17)


def at(day: int, hour: int, minute: int = 0, month: int = 4) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BANGKOK)


def office(closed: frozenset[dt.date] = frozenset()) -> Week:
    """Monday to Friday, 09:00-17:00, closed on Thai public holidays and ``closed``."""
    return Week(
        dict.fromkeys(range(5), (NINE, FIVE)),
        lambda day: day in closed or day in thai_public_holidays(day.year),
    )


def test_the_calendar_has_songkran_and_chakri_day():
    closed = thai_public_holidays(2026)
    assert {dt.date(2026, 4, d) for d in (6, 13, 14, 15)} <= closed
    assert dt.date(2026, 4, 16) not in closed
    songkran = dt.date(2026, 4, 13)
    assert holidays.country_holidays("TH", years=2026)[songkran] == "วันสงกรานต์"
    assert holidays.country_holidays("TH", years=2026, language="en_US")[songkran] == (
        "Songkran Festival"
    )


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        # Within one day.
        (at(9, 10), 60, at(9, 11)),
        # Thursday 16:00 + 4 h: 1 h on Thursday, 3 h on Friday from 09:00.
        (at(9, 16), 240, at(10, 12)),
        # Friday 16:00 + 8 h: 1 h on Friday; the weekend and Songkran (13-15) closed; 7 h on
        # Thursday 16 April from 09:00.
        (at(10, 16), 480, at(16, 16)),
        # Arriving on Saturday night: the clock starts on the next open day (Thursday 16).
        (at(11, 22), 30, at(16, 9, 30)),
        # Before opening: from 09:00 the same day.
        (at(16, 7), 90, at(16, 10, 30)),
        # Exactly at closing with time to go: the next morning.
        (at(16, 17), 15, at(17, 9, 15)),
        # Friday 3 April 17:00 + 1 minute: Monday 6 April is Chakri Day, so Tuesday.
        (at(3, 17), 1, at(7, 9, 1)),
        # Zero minutes from a closed time is the next opening.
        (at(12, 12), 0, at(16, 9)),
    ],
)
def test_due_times_worked_out_by_hand(start, minutes, due):
    assert add_working_minutes(start, minutes, office()) == due


def test_a_time_in_utc_is_read_on_bangkok_time():
    start = dt.datetime(2026, 4, 10, 9, tzinfo=dt.UTC)  # 16:00 in Bangkok, a Friday
    assert add_working_minutes(start, 480, office()) == at(16, 16)


def test_the_business_own_closed_days_are_skipped():
    stocktake = frozenset({dt.date(2026, 4, 16)})
    assert add_working_minutes(at(10, 16), 480, office(stocktake)) == at(17, 16)


def test_a_shop_open_on_saturday_mornings():
    week = Week({**dict.fromkeys(range(5), (NINE, FIVE)), 5: (NINE, dt.time(12))}, lambda d: False)
    # Friday 16:00 + 5 h: 1 h Friday, 3 h Saturday morning, 1 h Monday.
    assert add_working_minutes(at(10, 16), 300, week) == at(13, 10)


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        (at(9, 16), at(10, 12), 240),
        (at(10, 16), at(16, 16), 480),
        (at(10, 18), at(13, 12), 0),  # after hours, a weekend and Songkran
        (at(16, 12), at(16, 11), 0),  # backwards
        (at(9, 8), at(9, 20), 480),  # a whole day, from before opening to after closing
    ],
)
def test_working_minutes_between_worked_out_by_hand(start, end, minutes):
    assert working_minutes_between(start, end, office()) == minutes


def test_adding_then_measuring_gives_the_minutes_back():
    week = office()
    start = at(1, 10, 17)
    for minutes in (0, 1, 59, 480, 481, 2000, 9000):
        due = add_working_minutes(start, minutes, week)
        assert working_minutes_between(start, due, week) == minutes


def test_a_week_never_open_is_refused_not_looped_forever():
    with pytest.raises(NeverOpenError):
        add_working_minutes(at(10, 16), 60, Week({}, lambda d: False))
