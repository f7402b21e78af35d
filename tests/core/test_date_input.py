"""Dates typed as Thai readers type them: either era, day first; never a B.E. year as A.D."""

import datetime as dt

import pytest
from django.utils import translation

from samphan.core import dates
from samphan.core.forms import DateField, DateInput, DateTimeField, Textarea


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("23/05/2526", dt.date(1983, 5, 23)),
        ("23/05/1983", dt.date(1983, 5, 23)),
        ("3/5/2569", dt.date(2026, 5, 3)),
        ("23.05.2526", dt.date(1983, 5, 23)),
        ("23-05-2526", dt.date(1983, 5, 23)),
        (" 1983-05-23 ", dt.date(1983, 5, 23)),
        ("2569-01-31", dt.date(2026, 1, 31)),  # ISO with a B.E. year: still B.E.
        ("29/02/2567", dt.date(2024, 2, 29)),
    ],
)
def test_a_typed_day_in_either_era(text, day):
    assert dates.parse_date_text(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "day/month/year"),
        ("23/05/26", "day/month/year"),  # two-digit years are ambiguous
        ("yesterday", "day/month/year"),
        ("31/02/2569", "There is no such day"),
        ("29/02/2568", "There is no such day"),
        ("01/01/1899", "Enter a year between 2443 and 2743"),
        ("01/01/2300", "Enter a year between"),  # neither a plausible A.D. nor B.E. year
        ("01/01/2800", "Enter a year between"),
    ],
)
def test_a_typed_day_that_is_not_one_says_why(text, message):
    with translation.override("en"), pytest.raises(dates.DateTextError, match=message):
        dates.parse_date_text(text)


def test_a_day_is_shown_in_the_readers_era():
    day = dt.date(1983, 5, 23)
    assert dates.date_text(day, buddhist_era=True) == "23/05/2526"
    assert dates.date_text(day, buddhist_era=False) == "23/05/1983"
    token = dates.buddhist_era_preference.set(True)
    try:
        html = DateInput().render("birthday", day)
    finally:
        dates.buddhist_era_preference.reset(token)
    assert 'type="text"' in html and 'value="23/05/2526"' in html
    assert 'type="date"' in html and 'value="' not in html.split('type="date"')[1].split(">")[0]


def test_fields_read_what_their_widgets_show():
    assert DateField().clean("23/05/2526") == dt.date(1983, 5, 23)
    moment = DateTimeField().clean("01/12/2569 09:30")
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == (
        2026,
        12,
        1,
        9,
        30,
    )
    assert moment.utcoffset() == dt.timedelta(hours=7)  # Asia/Bangkok


def test_a_textarea_keeps_lines_as_lf():
    sent = {"notes": "บรรทัดแรก\r\nบรรทัดสอง\rสาม\n"}
    assert Textarea().value_from_datadict(sent, {}, "notes") == "บรรทัดแรก\nบรรทัดสอง\nสาม\n"
